using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// Per-sample gradients of one module's own parameters, Opacus-style: from the module's input (the activation,
/// captured by a forward hook) and the gradient of the loss with respect to its output (the backprop, kept with
/// <c>retain_grad</c>). TorchSharp has no vmap and no backward hooks, so each supported layer type writes its
/// gradient formula out. Every formula here is linear in the backprop, so scaling sample i's backprop by c_i scales
/// its gradient by c_i: the clipped sum Σ c_i·g_i is <see cref="SummedGradients"/> of the rescaled backprops.
/// </summary>
internal abstract class PerSampleLayer
{
    protected PerSampleLayer(string name, nn.Module module)
    {
        Name = name;
        Module = module;
    }

    /// <summary>The module's name in the network ("conv_1.op").</summary>
    public string Name { get; }

    public nn.Module Module { get; }

    /// <summary>The trainable parameters this layer owns, with their full names, in a fixed order.</summary>
    public abstract IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>Per-sample gradients: one (B, *parameter shape) tensor per parameter, in <see cref="Parameters"/> order.</summary>
    /// <param name="activation">The module's input, (B, …).</param>
    /// <param name="backprop">d(loss)/d(output) with the loss a sum over samples, (B, …) like the output.</param>
    public abstract Tensor[] PerSampleGradients(Tensor activation, Tensor backprop);

    /// <summary>
    /// ‖g_i‖² over all of this layer's parameters, (B). Defaults to materialising the per-sample gradients, which are
    /// then handed back in <paramref name="perSample"/> (null when the norm was had without them) so the clipped
    /// sum can reuse them.
    /// </summary>
    public virtual Tensor NormsSquared(Tensor activation, Tensor backprop, out Tensor[]? perSample)
    {
        perSample = PerSampleGradients(activation, backprop);
        return SquaredNorms(perSample);
    }

    /// <summary>Σ over the tensors of ‖g_i‖², (B), for per-sample gradients (B, …).</summary>
    public static Tensor SquaredNorms(IEnumerable<Tensor> perSample) =>
        perSample.Select(g => g.flatten(1).square().sum(1)).Aggregate((x, y) => x + y);

    /// <summary>Σ_i g_i, one tensor per parameter (its shape), in <see cref="Parameters"/> order. Defaults to summing the per-sample gradients.</summary>
    public virtual Tensor[] SummedGradients(Tensor activation, Tensor backprop) =>
        [.. PerSampleGradients(activation, backprop).Select(g => g.sum(0L))];

    /// <summary>
    /// Whether a weight's norms are cheaper by ghost clipping than by materialising its per-sample gradients, for B
    /// samples of T positions, d inputs and p outputs ("mixed ghost clipping", Bu et al. 2022). Ghost norms cost
    /// B·T²·(d + p) and the clipped sum then needs another pass over the backprops (B·T·d·p); materialised gradients
    /// cost B·T·d·p once, after which the norms and the clipped sum are B·d·p each. So ghost wins when T²(d + p) &lt; 2dp
    /// (small maps, wide layers), or when B·d·p floats would not fit in <see cref="MaxMaterialisedElements"/>.
    /// </summary>
    protected static bool GhostIsCheaper(long batch, long positions, long inputs, long outputs) =>
        positions * positions * (inputs + outputs) < 2 * inputs * outputs || batch * inputs * outputs > MaxMaterialisedElements;

    /// <summary>The most per-sample gradient elements one layer materialises (2^26 floats, 256 MiB).</summary>
    public const long MaxMaterialisedElements = 1L << 26;

    protected static List<(string, Parameter)> Trainable(string name, params (string Suffix, Parameter? Parameter)[] parameters) =>
        [.. parameters.Where(p => p.Parameter is { requires_grad: true }).Select(p => (Join(name, p.Suffix), p.Parameter!))];

    private static string Join(string name, string suffix) => name.Length == 0 ? suffix : name + "." + suffix;
}
