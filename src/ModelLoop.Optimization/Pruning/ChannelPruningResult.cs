using ModelLoop.Modeling;

namespace ModelLoop.Optimization.Pruning;

/// <summary>What <see cref="ChannelPruning.Prune"/> made: a new, smaller model (the caller disposes it) and what it removed.</summary>
/// <param name="Model">A new Sequential with the narrower layers and the kept weights copied; the original is untouched.</param>
/// <param name="Layers">Each narrowed layer; layers not listed kept their width.</param>
public sealed record ChannelPruningResult(Sequential Model, IReadOnlyList<PrunedLayer> Layers);
