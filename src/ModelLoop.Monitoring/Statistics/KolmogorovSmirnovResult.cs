namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The outcome of <see cref="KolmogorovSmirnov.TwoSample"/>: the statistic D = sup |F₁ − F₂| (in [0, 1]), its two-sided
/// p-value, and whether the p-value came from the exact null distribution or Smirnov's asymptotic one.
/// </summary>
public sealed record KolmogorovSmirnovResult(double Statistic, double PValue, bool Exact);
