namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// Pearson's chi-squared test of homogeneity on a 2 × k table, as <c>scipy.stats.chi2_contingency(table)</c>
/// (correction = True: Yates' continuity correction when the table has one degree of freedom).
/// </summary>
public static class ChiSquaredTest
{
    /// <summary>
    /// Tests whether two category → count maps come from the same categorical distribution. The table's columns are the
    /// union of both maps' categories (ordinal order) with all-zero columns dropped; a category missing from one map
    /// counts 0 there. With a single remaining column there is nothing to compare: statistic 0, p-value 1 (as SciPy).
    /// </summary>
    /// <exception cref="ArgumentException">A count is negative, or one side has no counts at all.</exception>
    public static ChiSquaredResult Homogeneity(IReadOnlyDictionary<string, long> first, IReadOnlyDictionary<string, long> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Homogeneity(
            first.ToDictionary(pair => pair.Key, pair => (double)pair.Value),
            second.ToDictionary(pair => pair.Key, pair => (double)pair.Value));
    }

    /// <summary>
    /// The same test on (possibly fractional) counts, e.g. a reference's class frequencies scaled to a reference count.
    /// </summary>
    /// <exception cref="ArgumentException">A count is negative or not finite, or one side has no counts at all.</exception>
    public static ChiSquaredResult Homogeneity(IReadOnlyDictionary<string, double> first, IReadOnlyDictionary<string, double> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var categories = first.Keys.Union(second.Keys)
            .Where(c => first.GetValueOrDefault(c) != 0 || second.GetValueOrDefault(c) != 0)
            .Order(StringComparer.Ordinal).ToArray();
        double[] top = categories.Select(c => first.GetValueOrDefault(c)).ToArray();
        double[] bottom = categories.Select(c => second.GetValueOrDefault(c)).ToArray();
        var (statistic, p, dof) = Test(top, bottom, nameof(first), nameof(second));
        return new ChiSquaredResult(statistic, p, dof, categories);
    }

    /// <summary>The test on two aligned count rows (no all-zero column); returns (statistic, p-value, dof).</summary>
    internal static (double Statistic, double PValue, int DegreesOfFreedom) Test(double[] first, double[] second, string firstName, string secondName)
    {
        double firstTotal = SampleChecks.NonNegativeTotal(first, firstName);
        double secondTotal = SampleChecks.NonNegativeTotal(second, secondName);
        if (firstTotal == 0 || secondTotal == 0)
            throw new ArgumentException(
                $"Expected counts on both sides, received totals {firstTotal} ({firstName}) and {secondTotal} ({secondName}). " +
                "What to do: test only when both distributions have at least one observation.");
        int dof = first.Length - 1;
        if (dof <= 0) return (0.0, 1.0, 0);

        double total = firstTotal + secondTotal;
        double statistic = 0;
        for (int column = 0; column < first.Length; column++)
        {
            double columnTotal = first[column] + second[column];
            statistic += Term(first[column], firstTotal * columnTotal / total, dof);
            statistic += Term(second[column], secondTotal * columnTotal / total, dof);
        }
        return (statistic, UpperTail(statistic, dof), dof);
    }

    /// <summary>(o − e)² / e, with Yates' correction at one degree of freedom: o moves toward e by min(0.5, |e − o|).</summary>
    private static double Term(double observed, double expected, int dof)
    {
        if (dof == 1) observed += Math.Sign(expected - observed) * Math.Min(0.5, Math.Abs(expected - observed));
        double difference = observed - expected;
        return difference * difference / expected;
    }

    /// <summary>The upper tail of the chi-squared distribution (MathNet's regularized incomplete gamma).</summary>
    internal static double UpperTail(double statistic, int dof) =>
        statistic <= 0 ? 1.0 : MathNet.Numerics.SpecialFunctions.GammaUpperRegularized(dof / 2.0, statistic / 2.0);
}
