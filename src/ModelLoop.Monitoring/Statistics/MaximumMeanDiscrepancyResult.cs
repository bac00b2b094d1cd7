namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The outcome of <see cref="MaximumMeanDiscrepancy.Test"/>: the unbiased MMD² estimate, its permutation p-value, the
/// RBF bandwidth σ used and the number of permutations.
/// </summary>
public sealed record MaximumMeanDiscrepancyResult(double Statistic, double PValue, double Bandwidth, int Permutations);
