namespace ModelLoop.Optimization.Pruning;

/// <summary>A Conv2D or Dense layer that <see cref="ChannelPruning"/> narrowed.</summary>
/// <param name="Name">The layer, e.g. "conv2d_1".</param>
/// <param name="Before">Output channels (Conv2D) or units (Dense) before.</param>
/// <param name="Kept">Indices of the outputs kept, ascending (those of largest L1 norm).</param>
public sealed record PrunedLayer(string Name, long Before, IReadOnlyList<long> Kept)
{
    /// <summary>Outputs after pruning.</summary>
    public int After => Kept.Count;
}
