using ModelLoop.Loop;

namespace ModelLoop.Optimization.Pruning;

/// <summary>What a <see cref="PruningJob"/> produced, beside the parent measured on the same test rows.</summary>
public sealed record PruningResult
{
    /// <summary>The new model package (with lineage to the parent).</summary>
    public required string PackagePath { get; init; }
    /// <summary>Loss and metrics of the pruned, fine-tuned model on the test part.</summary>
    public required IReadOnlyDictionary<string, double> Test { get; init; }
    /// <summary>The parent's loss and metrics on the same test rows, before pruning.</summary>
    public required IReadOnlyDictionary<string, double> ParentTest { get; init; }
    /// <summary>Parameters of the new model (zeros included for unstructured pruning).</summary>
    public required long Parameters { get; init; }
    /// <summary>Parameters that are not zero.</summary>
    public required long NonZeroParameters { get; init; }
    public required long ParentParameters { get; init; }
    /// <summary>Zeros of the new model's prunable weights, per tensor and overall (unstructured); all near 0 for channel pruning.</summary>
    public required SparsityReport Sparsity { get; init; }
    /// <summary>Channel pruning: the narrowed layers. Empty for unstructured pruning.</summary>
    public IReadOnlyList<PrunedLayer> Channels { get; init; } = [];
    /// <summary>The fine-tuning run (run folder, history, registered version).</summary>
    public required TrainingResult Training { get; init; }
}
