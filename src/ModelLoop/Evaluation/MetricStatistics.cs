namespace ModelLoop.Evaluation;

/// <summary>Mean and standard deviation of one metric over the folds (population std, numpy's default <c>std()</c>).</summary>
public sealed record MetricStatistics(double Mean, double Std)
{
    public override string ToString() => FormattableString.Invariant($"{Mean:0.####} ± {Std:0.####}");
}
