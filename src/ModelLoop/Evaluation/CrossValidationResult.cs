namespace ModelLoop.Evaluation;

/// <summary>Every fold's test metrics and their mean ± std per metric; warnings (e.g. a class smaller than k).</summary>
public sealed record CrossValidationResult(
    IReadOnlyList<IReadOnlyDictionary<string, double>> Folds,
    IReadOnlyDictionary<string, MetricStatistics> Summary,
    IReadOnlyList<string> Warnings);
