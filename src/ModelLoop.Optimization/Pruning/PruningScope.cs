namespace ModelLoop.Optimization.Pruning;

/// <summary>Where the magnitude threshold of unstructured pruning is drawn.</summary>
public enum PruningScope
{
    /// <summary>One threshold over all prunable weights: layers with many small weights lose more (Han et al. 2015).</summary>
    Global,
    /// <summary>Each prunable tensor loses the same share of its weights.</summary>
    PerLayer,
}
