namespace ModelLoop.Optimization.Pruning;

/// <summary>How the sparsity of unstructured pruning is reached.</summary>
public enum PruningSchedule
{
    /// <summary>The target sparsity from the first step; fine-tuning recovers the accuracy.</summary>
    OneShot,
    /// <summary>Zhu and Gupta's (2017) cubic ramp from the initial to the target sparsity, masks recomputed every few steps.</summary>
    Polynomial,
}
