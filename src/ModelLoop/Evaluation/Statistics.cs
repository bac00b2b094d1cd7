namespace ModelLoop.Evaluation;

/// <summary>
/// The two distributions the comparison needs. .NET has no statistics functions and none of the allowed
/// packages provides them, so they are written here (checked against scipy in the McNemar fixtures).
/// </summary>
internal static class Statistics
{
    /// <summary>Two-sided exact binomial p-value of k successes in n trials at p = ½: min(1, 2·P(X ≤ min(k, n − k))).</summary>
    public static double BinomialTwoSidedHalf(long k, long n)
    {
        if (n == 0)
            return 1;
        var tail = Math.Min(k, n - k);
        // Terms C(n, i) / 2ⁿ in log space so large n neither overflows nor underflows.
        double logTerm = -n * Math.Log(2), sum = Math.Exp(logTerm);
        for (long i = 1; i <= tail; i++)
        {
            logTerm += Math.Log(n - i + 1) - Math.Log(i);
            sum += Math.Exp(logTerm);
        }
        return Math.Min(1, 2 * sum);
    }

    /// <summary>
    /// P(χ²₁ ≥ x): the regularized upper incomplete gamma Q(½, x/2), by its series below 1.5 and its continued
    /// fraction above (Numerical Recipes' gser/gcf; both converge to double precision).
    /// </summary>
    public static double ChiSquareOneSurvival(double x)
    {
        if (x <= 0)
            return 1;
        const double a = 0.5;
        var y = x / 2;
        var logPrefix = -y + a * Math.Log(y) - 0.5 * Math.Log(Math.PI); // ln Γ(½) = ½ ln π
        if (y < a + 1)
        {
            double term = 1 / a, sum = term;
            for (var n = 1; n < 1000 && Math.Abs(term) > Math.Abs(sum) * 1e-17; n++)
            {
                term *= y / (a + n);
                sum += term;
            }
            return 1 - sum * Math.Exp(logPrefix);
        }
        // Modified Lentz for the continued fraction of Q(a, y).
        const double tiny = 1e-300;
        double b = y + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny)
                d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny)
                c = tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
                break;
        }
        return Math.Exp(logPrefix) * h;
    }

    /// <summary>The q-quantile of sorted values, linear between neighbours (numpy's default percentile).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
            return double.NaN;
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
