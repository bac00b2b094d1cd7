namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The two-sample Kolmogorov–Smirnov test, two-sided, with the same answers as <c>scipy.stats.ks_2samp(a, b)</c>
/// (method 'auto', SciPy 1.10).
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>
    /// Above this sample size (of the larger sample) the p-value is asymptotic, below or at it exact: SciPy's
    /// <c>MAX_AUTO_N</c> for method 'auto'.
    /// </summary>
    public const int ExactLimit = 10000;

    /// <summary>
    /// Tests whether <paramref name="first"/> and <paramref name="second"/> come from the same continuous distribution.
    /// Ties are allowed (the empirical CDFs are right-continuous, as SciPy's). The p-value is exact when the larger
    /// sample has at most <see cref="ExactLimit"/> values (then the statistic is rounded to a multiple of
    /// 1 / lcm(n₁, n₂), as SciPy does); otherwise it is <c>kstwo.sf(D, round(n₁n₂ / (n₁ + n₂)))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or holds NaN or an infinity.</exception>
    public static KolmogorovSmirnovResult TwoSample(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        double[] a = SampleChecks.SortedCopy(first, nameof(first));
        double[] b = SampleChecks.SortedCopy(second, nameof(second));
        double d = Statistic(a, b);
        long n1 = a.Length, n2 = b.Length;
        if (Math.Max(n1, n2) <= ExactLimit)
        {
            long g = GreatestCommonDivisor(n1, n2);
            long lcm = n1 / g * n2;
            long h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
            double rounded = (double)h / lcm;
            if (h == 0) return new KolmogorovSmirnovResult(rounded, 1.0, Exact: true);
            double p = n1 == n2
                ? KolmogorovDistribution.OutsideSquare(n1, h)
                : KolmogorovDistribution.OutsideBand(n1, n2, g, h);
            if (p is >= 0 and <= 1) return new KolmogorovSmirnovResult(rounded, p, Exact: true);
            d = rounded; // as SciPy: a failed exact attempt falls back to the asymptotic p-value of the rounded D
        }
        double larger = Math.Max(n1, n2), smaller = Math.Min(n1, n2);
        int effective = (int)Math.Round(larger * smaller / (larger + smaller), MidpointRounding.ToEven);
        return new KolmogorovSmirnovResult(d, Math.Clamp(KolmogorovDistribution.Survival(effective, d), 0, 1), Exact: false);
    }

    /// <summary>D = max over all values of |F_a(x) − F_b(x)|, both sorted ascending, CDFs counting values ≤ x.</summary>
    private static double Statistic(double[] a, double[] b)
    {
        int i = 0, j = 0;
        double d = 0;
        while (i < a.Length && j < b.Length)
        {
            double x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] == x) i++;
            while (j < b.Length && b[j] == x) j++;
            d = Math.Max(d, Math.Abs((double)i / a.Length - (double)j / b.Length));
        }
        return d;
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
