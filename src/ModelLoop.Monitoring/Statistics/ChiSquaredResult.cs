namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The outcome of <see cref="ChiSquaredTest.Homogeneity(IReadOnlyDictionary{string, long}, IReadOnlyDictionary{string, long})"/>:
/// Pearson's statistic (Yates-corrected when <see cref="DegreesOfFreedom"/> is 1), its p-value, the degrees of freedom
/// and the categories that formed the table's columns (all-zero ones dropped), in ordinal order.
/// </summary>
public sealed record ChiSquaredResult(double Statistic, double PValue, int DegreesOfFreedom, IReadOnlyList<string> Categories);
