namespace ModelLoop.Evaluation;

/// <summary>Mean and standard deviation of one metric over the folds (population std, numpy's default <c>std()</c>).</summary>
public sealed record MetricStatistics(double Mean, double Std)
{
    public override string ToString() => FormattableString.Invariant($"{Mean:0.####} ± {Std:0.####}");
}

/// <summary>Every fold's test metrics and their mean ± std per metric; warnings (e.g. a class smaller than k).</summary>
public sealed record CrossValidationResult(
    IReadOnlyList<IReadOnlyDictionary<string, double>> Folds,
    IReadOnlyDictionary<string, MetricStatistics> Summary,
    IReadOnlyList<string> Warnings);
