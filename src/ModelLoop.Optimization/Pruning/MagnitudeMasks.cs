using ModelLoop.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Pruning;

/// <summary>Which weights magnitude pruning may zero, and the 0/1 masks that keep the largest ones.</summary>
internal static class MagnitudeMasks
{
    /// <summary>
    /// Every matrix or kernel (rank ≥ 2): Dense and Conv2D weights, LSTM/GRU and attention projections, embedding tables.
    /// Biases and norm scales (rank 1) are never pruned: they are few and each one matters.
    /// </summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Prunable(Model model, IReadOnlyList<string> exclude) =>
        model.Network.named_parameters()
            .Where(p => p.parameter.dim() >= 2 && !exclude.Any(prefix => p.name.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(p => (p.name, p.parameter))
            .ToList();

    /// <summary>
    /// Masks (1 keep, 0 pruned; each shaped like its weight) that zero exactly round(sparsity·n) weights of smallest |w|:
    /// over all n prunable weights at once (global), or n per tensor (per layer). Ties are broken by position, so the
    /// count is exact even when many weights are already zero. The masks are detached from any dispose scope (they live across batches); the caller owns them.
    /// </summary>
    public static Dictionary<string, Tensor> Compute(IReadOnlyList<(string Name, Parameter Parameter)> weights, double sparsity, PruningScope scope)
    {
        if (weights.Count == 0)
            throw new ArgumentException("The model has no prunable weights (matrices or kernels of rank ≥ 2, not excluded); nothing to prune. Check PruningOptions.Exclude.");
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        var masks = new Dictionary<string, Tensor>();
        if (scope == PruningScope.PerLayer)
        {
            foreach (var (name, weight) in weights)
                masks[name] = KeepLargest(weight.detach().abs().flatten(), sparsity).reshape(weight.shape).DetachFromDisposeScope();
            return masks;
        }
        // (N,) over all prunable weights in order; split back into each tensor's share.
        var all = cat(weights.Select(w => w.Parameter.detach().abs().flatten()).ToArray());
        var keep = KeepLargest(all, sparsity);
        var parts = keep.split(weights.Select(w => w.Parameter.numel()).ToArray());
        for (var i = 0; i < weights.Count; i++)
            masks[weights[i].Name] = parts[i].reshape(weights[i].Parameter.shape).clone().DetachFromDisposeScope();
        return masks;
    }

    /// <summary>(N,) magnitudes → (N,) mask with the round(sparsity·N) smallest set to 0.</summary>
    private static Tensor KeepLargest(Tensor magnitudes, double sparsity)
    {
        var mask = ones_like(magnitudes);
        var count = (long)Math.Round(sparsity * magnitudes.numel());
        if (count > 0)
            mask.index_fill_(0, magnitudes.topk((int)count, largest: false).indexes, 0);
        return mask;
    }
}
