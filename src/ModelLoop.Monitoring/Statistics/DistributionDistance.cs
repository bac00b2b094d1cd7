namespace ModelLoop.Monitoring.Statistics;

/// <summary>Distances between two distributions, for windows large enough that every test would reject.</summary>
public static class DistributionDistance
{
    /// <summary>
    /// The first Wasserstein (earth mover's) distance between two samples, ∫ |F_u(x) − F_v(x)| dx, as
    /// <c>scipy.stats.wasserstein_distance(u, v)</c>. In the samples' own units.
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or holds NaN or an infinity.</exception>
    public static double Wasserstein(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        double[] u = SampleChecks.SortedCopy(first, nameof(first));
        double[] v = SampleChecks.SortedCopy(second, nameof(second));
        // Walk the pooled sorted values; between consecutive pooled values both CDFs are constant.
        int i = 0, j = 0;
        double previous = Math.Min(u[0], v[0]), distance = 0;
        while (i < u.Length || j < v.Length)
        {
            double x = j >= v.Length || (i < u.Length && u[i] <= v[j]) ? u[i] : v[j];
            distance += Math.Abs((double)i / u.Length - (double)j / v.Length) * (x - previous);
            previous = x;
            while (i < u.Length && u[i] == x) i++;
            while (j < v.Length && v[j] == x) j++;
        }
        return distance;
    }

    /// <summary>
    /// The Jensen–Shannon distance (the square root of the divergence) between two discrete distributions given as
    /// aligned non-negative weights (normalized here), as <c>scipy.spatial.distance.jensenshannon(p, q, base)</c>.
    /// With the default natural logarithm it lies in [0, √ln 2 ≈ 0.833]; with <paramref name="logBase"/> = 2 in [0, 1].
    /// </summary>
    /// <param name="first">Weights of the first distribution.</param>
    /// <param name="second">Weights of the second, aligned with <paramref name="first"/>.</param>
    /// <param name="logBase">The logarithm's base. Defaults to e (SciPy's default).</param>
    /// <exception cref="ArgumentException">Lengths differ, a weight is negative, or a side sums to 0.</exception>
    public static double JensenShannon(IReadOnlyList<double> first, IReadOnlyList<double> second, double logBase = Math.E)
    {
        var (p, q) = Proportions(first, second);
        if (!(logBase > 0) || logBase == 1)
            throw new ArgumentOutOfRangeException(nameof(logBase), logBase, "Expected a logarithm base > 0 other than 1, e.g. Math.E or 2.");
        double divergence = 0;
        for (int k = 0; k < p.Length; k++)
        {
            double m = (p[k] + q[k]) / 2;
            if (p[k] > 0) divergence += p[k] * Math.Log(p[k] / m);
            if (q[k] > 0) divergence += q[k] * Math.Log(q[k] / m);
        }
        divergence /= Math.Log(logBase);
        return Math.Sqrt(Math.Max(divergence, 0) / 2);
    }

    /// <summary>Both weight vectors checked (same length, non-negative, positive sum) and normalized to sum 1.</summary>
    internal static (double[] First, double[] Second) Proportions(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        double firstTotal = SampleChecks.NonNegativeTotal(first, nameof(first));
        double secondTotal = SampleChecks.NonNegativeTotal(second, nameof(second));
        if (first.Count != second.Count)
            throw new ArgumentException(
                $"Expected aligned weights of equal length, received {first.Count} and {second.Count}. What to do: give both the same categories in the same order.");
        if (firstTotal == 0 || secondTotal == 0)
            throw new ArgumentException($"Expected weights with a positive sum, received sums {firstTotal} and {secondTotal}.");
        return (first.Select(w => w / firstTotal).ToArray(), second.Select(w => w / secondTotal).ToArray());
    }
}
