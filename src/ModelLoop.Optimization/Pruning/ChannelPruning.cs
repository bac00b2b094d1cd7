using System.Globalization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Pruning;

/// <summary>
/// Structured pruning that makes a smaller dense model — the kind that is faster on a CPU, where sparse weights are not
/// (Li et al. 2017, "Pruning Filters for Efficient ConvNets"): in a <see cref="Sequential"/>, each Conv2D loses the
/// output channels, and each hidden Dense the neurons, of smallest L1 norm; the BatchNorm after it loses the same
/// channels, and the next Conv2D or Dense loses the matching inputs (through a Flatten, the next Dense loses the H·W
/// features of each removed channel). A new Sequential with the smaller widths receives the kept weights.
/// </summary>
/// <remarks>
/// <para>Supported between a pruned layer and the layer that reads it: BatchNorm, ActivationLayer, Dropout, MaxPool2D,
/// AvgPool2D, GlobalAvgPool2D and Flatten. A layer whose outputs go anywhere else — into a Residual block (its channels
/// are tied to the skip connection), a LayerNorm, an attention or recurrent layer, a Reshape, or out of the model (the
/// classifier head) — keeps its width. Residual blocks themselves are kept whole. A model with nothing prunable is an error.</para>
/// <para>FunctionalModel graphs are not supported (their fan-out needs every reader sliced alike); prune their weights
/// (<see cref="PruningStructure.Weights"/>) instead.</para>
/// </remarks>
public static class ChannelPruning
{
    /// <summary>Removes <paramref name="fraction"/> of the outputs of every prunable layer; see the class remarks.</summary>
    /// <param name="fraction">In (0, 1), e.g. 0.5 for half the channels. Each pruned layer keeps at least one output.</param>
    /// <exception cref="ArgumentException">The fraction is out of range, the model is not a Sequential, or nothing in it can be pruned.</exception>
    public static ChannelPruningResult Prune(Model model, double fraction)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(fraction is > 0 and < 1))
            throw new ArgumentException($"sparsity (the share of channels to remove) must be in (0, 1), e.g. 0.5; received {fraction.ToString(CultureInfo.InvariantCulture)}.", nameof(fraction));
        if (model is not Sequential sequential)
            throw new ArgumentException($"Channel pruning needs a Sequential model; received a {model.GetType().Name}. Prune single weights (PruningStructure.Weights) instead.", nameof(model));
        var layers = sequential.Layers;
        var rows = sequential.LayerSummaries;
        var state = sequential.Network.state_dict();
        using var scope = NewDisposeScope();
        var outputs = new Dictionary<string, Tensor>();  // layer → kept output indices (producers and their BatchNorms)
        var inputs = new Dictionary<string, Tensor>();   // layer → kept input features (readers of a producer)
        var pruned = new List<PrunedLayer>();
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not (Conv2D or Dense) || FindReader(layers, rows, i) is not { } reader)
                continue;
            var name = rows[i].Name;
            // Weight (out, in[, k, k]) → (out,) L1 norm of each output's weights.
            var weight = state.Single(p => p.Key.StartsWith(name + ".", StringComparison.Ordinal) && p.Value.dim() >= 2).Value;
            var before = weight.shape[0];
            var keep = Math.Max(1, before - (long)Math.Round(before * fraction));
            var kept = weight.detach().abs().flatten(1).sum(1).topk((int)keep).indexes.sort().Values;
            outputs[name] = kept;
            foreach (var norm in reader.Norms)
                outputs[rows[norm].Name] = kept;
            // Through a Flatten each channel is `spatial` consecutive features: (C·S,) channel-major.
            inputs[rows[reader.Index].Name] = reader.Spatial == 1 ? kept
                : (kept.unsqueeze(1) * reader.Spatial + arange(reader.Spatial).unsqueeze(0)).flatten();
            pruned.Add(new PrunedLayer(name, before, kept.data<long>().ToArray()));
        }
        if (pruned.Count == 0)
            throw new ArgumentException($"No layer of this model can be channel-pruned ({string.Join(" → ", layers.Select(l => l.GetType().Name))}): a Conv2D or hidden Dense must be read by a Conv2D or Dense " +
                "through BatchNorm, activation, dropout, pooling or Flatten only (residual blocks and the head are kept whole). Prune single weights (PruningStructure.Weights) instead.", nameof(model));

        var smaller = new Sequential(sequential.InputShape, sequential.InputKind);
        for (var i = 0; i < layers.Count; i++)
        {
            var name = rows[i].Name;
            var width = outputs.TryGetValue(name, out var k) ? (int)k.shape[0] : 0;
            smaller.Add(layers[i] switch
            {
                Conv2D conv when width > 0 => conv with { Filters = width, Name = name },
                Dense dense when width > 0 => dense with { Units = width, Name = name },
                var layer => layer with { Name = name },
            });
        }
        try
        {
            CopyWeights(state, smaller, outputs, inputs);
        }
        catch
        {
            smaller.Dispose();
            throw;
        }
        return new ChannelPruningResult(smaller, pruned);
    }

    /// <summary>Each tensor of the new model: the old one of the same name, with the kept outputs (dim 0) and inputs (dim 1).</summary>
    private static void CopyWeights(Dictionary<string, Tensor> state, Sequential smaller, Dictionary<string, Tensor> outputs, Dictionary<string, Tensor> inputs)
    {
        using var _ = no_grad();
        foreach (var (key, target) in smaller.Network.state_dict())
        {
            var layer = key[..key.IndexOf('.', StringComparison.Ordinal)];
            var source = state[key];
            if (source.dim() >= 1 && outputs.TryGetValue(layer, out var kept))
                source = source.index_select(0, kept);
            if (source.dim() >= 2 && inputs.TryGetValue(layer, out var features))
                source = source.index_select(1, features);
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidOperationException($"Channel pruning sliced '{key}' to ({string.Join(", ", source.shape)}) but the smaller model holds ({string.Join(", ", target.shape)}); this is a bug in ChannelPruning.");
            target.copy_(source);
        }
    }

    /// <summary>The layer that reads producer <paramref name="i"/>'s outputs, the BatchNorms between, and the features per channel there; null when it cannot be sliced.</summary>
    private static Reader? FindReader(IReadOnlyList<Layer> layers, IReadOnlyList<LayerSummary> rows, int i)
    {
        var conv = layers[i] is Conv2D;
        var channels = rows[i].OutputShape[0];
        long spatial = 1;
        var flattened = !conv;
        var norms = new List<int>();
        for (var j = i + 1; j < layers.Count; j++)
        {
            switch (layers[j])
            {
                case BatchNorm when !(conv && flattened):
                    norms.Add(j);
                    break;
                case ActivationLayer or Dropout:
                    break;
                case MaxPool2D or AvgPool2D when conv && !flattened:
                    break;
                case GlobalAvgPool2D when conv && !flattened:
                    flattened = true;
                    break;
                case Flatten when conv && !flattened:
                    spatial = rows[j - 1].OutputShape.Elements / channels;
                    flattened = true;
                    break;
                case Flatten when !conv && rows[j - 1].OutputShape.Rank == 1:
                    break;
                case Conv2D when conv && !flattened:
                    return new Reader(j, norms, spatial);
                case Dense when flattened && rows[j - 1].OutputShape.Rank == 1:
                    return new Reader(j, norms, spatial);
                default:
                    return null;
            }
        }
        return null;
    }

    private sealed record Reader(int Index, IReadOnlyList<int> Norms, long Spatial);
}
