using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// Per-sample gradients of a network, Opacus-style. <see cref="Attach"/> puts a forward hook on every module that
/// owns trainable parameters: while <see cref="Capturing"/>, it keeps the module's input (the activation) and calls
/// <c>retain_grad</c> on its output, so after backward the output's gradient (the backprop) is there too. From the
/// pair, each layer's formula gives per-sample gradients, their norms (ghost clipping: without materialising them
/// where that is cheaper) and the clipped sum Σ_i c_i·g_i.
/// Supported: Linear (Dense), Conv2d (groups 1), Embedding, LayerNorm, GroupNorm. BatchNorm is refused (it mixes
/// samples, so a sample's gradient is not its own); any other module with trainable parameters is refused by name.
/// A module called more than once in a forward pass (shared weights) has its per-sample gradients summed over calls.
/// </summary>
public sealed class PerSampleGradients : IDisposable
{
    private readonly List<PerSampleLayer> _layers;
    private readonly List<IDisposable> _hooks = [];
    private readonly Dictionary<PerSampleLayer, List<(Tensor Activation, Tensor Output)>> _captured = [];
    // Per-sample gradients that Norms had to materialise, kept for WeightedSum of the same batch.
    private readonly Dictionary<PerSampleLayer, Tensor[]> _materialised = [];
    private double _materialisedLossScale = double.NaN;

    private PerSampleGradients(List<PerSampleLayer> layers) => _layers = layers;

    /// <summary>The layer types that have per-sample gradients, as the error for others lists them.</summary>
    public const string SupportedLayers = "Dense (Linear), Conv2D (Conv2d, groups 1), Embedding, LayerNorm, GroupNorm";

    /// <summary>
    /// Hooks every module of <paramref name="network"/> that owns trainable parameters. Throws an
    /// <see cref="UnsupportedLayerException"/> for BatchNorm and for modules without a per-sample formula.
    /// </summary>
    /// <param name="network">The network (e.g. <c>model.Network</c>).</param>
    /// <param name="ghostClipping">Compute norms without materialising per-sample gradients where that is cheaper. Defaults to true.</param>
    public static PerSampleGradients Attach(nn.Module<Tensor, Tensor> network, bool ghostClipping = true)
    {
        ArgumentNullException.ThrowIfNull(network);
        var layers = new List<PerSampleLayer>();
        foreach (var (name, module) in network.named_modules().Prepend(("", network)).DistinctBy(m => m.Item2))
        {
            var own = module.named_parameters(false).Where(p => p.Item2.requires_grad).ToList();
            var type = module.GetType().Name;
            var shown = name.Length == 0 ? "(the network itself)" : name;
            if (type.StartsWith("BatchNorm", StringComparison.Ordinal))
                throw new UnsupportedLayerException(shown, type,
                    $"DP-SGD cannot train layer '{shown}' ({type}): BatchNorm normalises with statistics of the whole batch, so no sample's gradient is its own and per-sample clipping bounds nothing. " +
                    "What to do: replace BatchNorm with GroupNorm (e.g. new GroupNorm(Groups: 8) in the model, or \"type\": \"GroupNorm\" in the spec), or LayerNorm.");
            if (own.Count == 0)
                continue;
            PerSampleLayer layer = module switch
            {
                Linear linear => new LinearPerSample(name, linear, ghostClipping),
                Conv2d conv when Conv2dPerSample.Unsupported(conv) is { } why => throw Unsupported(shown, type, why),
                Conv2d conv => new Conv2dPerSample(name, conv, ghostClipping),
                Embedding embedding => new EmbeddingPerSample(name, embedding),
                LayerNorm norm => NormPerSample.For(name, norm),
                GroupNorm norm => NormPerSample.For(name, norm),
                _ => throw Unsupported(shown, type, $"no per-sample gradient formula for {type} (parameters {string.Join(", ", own.Select(p => p.Item1))})"),
            };
            layers.Add(layer);
        }
        var result = new PerSampleGradients(layers);
        foreach (var layer in layers)
        {
            var captured = result._captured[layer] = [];
            var hookable = (nn.Module<Tensor, Tensor>)layer.Module;
            var remover = hookable.register_forward_hook((_, input, output) =>
            {
                if (!result.Capturing || !output.requires_grad)
                    return null!;
                output.retain_grad();
                captured.Add((input.detach(), output));
                // Containers such as nn.Sequential dispose each intermediate output once the next module used it; the
                // network gets an alias (same storage, gradient flows through to output) so the kept handle stays valid.
                return output.alias();
            });
            result._hooks.Add(new HookHandle(remover.remove));
        }
        return result;
    }

    private static UnsupportedLayerException Unsupported(string name, string type, string why) =>
        new(name, type, $"DP-SGD cannot train layer '{name}' ({type}): {why}. Layers with per-sample gradients: {SupportedLayers}. " +
            "What to do: replace the layer with a supported one, or freeze it (CompileOptions.Trainable) so it has no trainable parameters.");

    /// <summary>The hooked layers, in order (tests force a convolution's norm method through them).</summary>
    internal IReadOnlyList<PerSampleLayer> Layers => _layers;

    /// <summary>Receives (layer name, phase "norms" or "sum", elapsed) per layer, for profiling (the bench's <c>dp --part profile</c>). Defaults to null.</summary>
    internal Action<string, string, TimeSpan>? Profiler { get; set; }

    /// <summary>Whether the hooks keep activations. Set it around the training forward pass only. Defaults to false.</summary>
    public bool Capturing { get; set; }

    /// <summary>The full names of the parameters that get per-sample gradients, layer by layer.</summary>
    public IReadOnlyList<string> ParameterNames => [.. _layers.SelectMany(l => l.Parameters.Select(p => p.Name))];

    /// <summary>The parameters that get per-sample gradients, in <see cref="ParameterNames"/> order.</summary>
    public IReadOnlyList<Parameter> Parameters => [.. _layers.SelectMany(l => l.Parameters.Select(p => p.Parameter))];

    /// <summary>The batch size of the last captured forward pass, or 0 if nothing was captured.</summary>
    public long BatchSize => _captured.Values.FirstOrDefault(c => c.Count > 0) is { } c ? c[0].Activation.shape[0] : 0;

    /// <summary>
    /// Per-sample gradients of the captured batch, after backward: parameter name → (B, *parameter shape).
    /// </summary>
    /// <param name="lossScale">What the backprops are multiplied by to make the loss a sum over samples: B for a mean loss. Defaults to 1.</param>
    public IReadOnlyDictionary<string, Tensor> Compute(double lossScale = 1)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in _layers)
        {
            var grads = LayerPerSample(layer, lossScale);
            if (grads is null) continue;
            for (var i = 0; i < grads.Length; i++)
                result[layer.Parameters[i].Name] = grads[i];
        }
        return result;
    }

    /// <summary>‖g_i‖ over all parameters for each sample i of the captured batch, (B).</summary>
    public Tensor Norms(double lossScale = 1)
    {
        _materialised.Clear();
        _materialisedLossScale = lossScale;
        Tensor? total = null;
        foreach (var layer in _layers)
        {
            var clock = Profiler is null ? null : System.Diagnostics.Stopwatch.StartNew();
            var calls = Calls(layer, lossScale);
            if (calls.Count == 0) continue;
            Tensor n;
            if (calls.Count == 1)
            {
                n = layer.NormsSquared(calls[0].A, calls[0].G, out var perSample);
                if (perSample is not null) _materialised[layer] = perSample;
            }
            else
            {
                var perSample = LayerPerSample(layer, lossScale)!;
                _materialised[layer] = perSample;
                n = PerSampleLayer.SquaredNorms(perSample);
            }
            total = total is null ? n : total + n;
            if (clock is not null) Profiler!(layer.Name, "norms", clock.Elapsed);
        }
        return (total ?? zeros(BatchSize)).sqrt();
    }

    /// <summary>
    /// Σ_i scale_i·g_i per parameter name (the parameter's shape): the sum of the per-sample gradients each scaled by
    /// its own factor, computed from rescaled backprops without materialising the per-sample gradients.
    /// </summary>
    /// <param name="scale">(B) factors, e.g. the clipping factors min(1, C / ‖g_i‖).</param>
    /// <param name="lossScale">As in <see cref="Compute"/>.</param>
    public IReadOnlyDictionary<string, Tensor> WeightedSum(Tensor scale, double lossScale = 1)
    {
        // Keyed by name: TorchSharp hands out a new Parameter wrapper per enumeration, so references do not match.
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in _layers)
        {
            var clock = Profiler is null ? null : System.Diagnostics.Stopwatch.StartNew();
            WeightedSum(layer, scale, lossScale, result);
            if (clock is not null) Profiler!(layer.Name, "sum", clock.Elapsed);
        }
        return result;
    }

    private void WeightedSum(PerSampleLayer layer, Tensor scale, double lossScale, Dictionary<string, Tensor> result)
    {
        if (lossScale == _materialisedLossScale && _materialised.TryGetValue(layer, out var perSample))
        {
            // Σ_i s_i g_i from the per-sample gradients Norms already made: (B) · (B, …) → (…).
            for (var i = 0; i < perSample.Length; i++)
            {
                var g = perSample[i];
                result[layer.Parameters[i].Name] = scale.to(g.dtype).matmul(g.reshape(g.shape[0], -1)).reshape(g.shape[1..]); // (B) × (B, P) → (P)
            }
            return;
        }
        foreach (var (a, g) in Calls(layer, lossScale))
        {
            var perSampleScale = scale.to(g.dtype).reshape([scale.shape[0], .. Enumerable.Repeat(1L, (int)g.dim() - 1)]);
            var sums = layer.SummedGradients(a, g * perSampleScale);
            for (var i = 0; i < sums.Length; i++)
            {
                var p = layer.Parameters[i].Name;
                result[p] = result.TryGetValue(p, out var so) ? so + sums[i] : sums[i];
            }
        }
    }

    /// <summary>Forgets the captured batch (call after each step).</summary>
    public void Clear()
    {
        _materialised.Clear();
        foreach (var list in _captured.Values)
            list.Clear();
    }

    public void Dispose()
    {
        Clear();
        foreach (var hook in _hooks)
            hook.Dispose();
        _hooks.Clear();
    }

    private Tensor[]? LayerPerSample(PerSampleLayer layer, double lossScale)
    {
        Tensor[]? sum = null;
        foreach (var (a, g) in Calls(layer, lossScale))
        {
            var grads = layer.PerSampleGradients(a, g);
            sum = sum is null ? grads : [.. sum.Zip(grads, (x, y) => x + y)];
        }
        return sum;
    }

    private List<(Tensor A, Tensor G)> Calls(PerSampleLayer layer, double lossScale)
    {
        var calls = new List<(Tensor, Tensor)>();
        foreach (var (activation, output) in _captured[layer])
        {
            var grad = output.grad ?? throw new InvalidOperationException(
                $"Layer '{layer.Name}' has no backprop: per-sample gradients are read after loss.backward(), and only for outputs the loss depends on.");
            calls.Add((activation, lossScale == 1 ? grad : grad * lossScale));
        }
        return calls;
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
