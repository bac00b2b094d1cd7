namespace ModelLoop.Evaluation;

/// <summary>
/// The JSON-serializable outcome of an evaluation: headline metrics by name, per-class scores, the confusion
/// matrix, warnings about undefined values, and the most confidently wrong examples (by test-set index).
/// </summary>
public sealed record EvaluationSummary
{
    public required EvaluationTask Task { get; init; }
    public required long Samples { get; init; }
    /// <summary>Metric name → value: accuracy, top_k_accuracy, precision/recall/f1 _macro/_micro/_weighted, roc_auc, pr_auc, log_loss, ece; or mse, rmse, mae, r2, mape.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public IReadOnlyList<ClassSummary> PerClass { get; init; } = [];
    /// <summary>Rows = true class, columns = predicted class; empty for regression.</summary>
    public IReadOnlyList<long[]> ConfusionMatrix { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public IReadOnlyList<WrongExample> MostConfidentlyWrong { get; init; } = [];
    /// <summary>Permutation importance of tabular features, most important first; empty for images or when not explained.</summary>
    public IReadOnlyList<FeatureImportance> FeatureImportance { get; init; } = [];
    /// <summary>Metrics sliced by group, when groups were given; null otherwise.</summary>
    public FairnessReport? Fairness { get; init; }
}
