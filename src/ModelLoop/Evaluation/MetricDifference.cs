namespace ModelLoop.Evaluation;

/// <summary>
/// One metric of both models on the same samples, the difference challenger − champion, and its paired
/// bootstrap percentile confidence interval [<see cref="Lower"/>, <see cref="Upper"/>].
/// </summary>
public sealed record MetricDifference(string Metric, bool HigherIsBetter, double Champion, double Challenger, double Difference, double Lower, double Upper)
{
    /// <summary>True when the interval excludes 0 on the side where the challenger is better.</summary>
    public bool ChallengerSignificantlyBetter => HigherIsBetter ? Lower > 0 : Upper < 0;

    /// <summary>True when the interval excludes 0 on the side where the challenger is worse.</summary>
    public bool ChallengerSignificantlyWorse => HigherIsBetter ? Upper < 0 : Lower > 0;
}
