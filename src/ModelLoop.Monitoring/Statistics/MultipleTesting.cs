namespace ModelLoop.Monitoring.Statistics;

/// <summary>Adjusted p-values for a family of tests: compare each adjusted p-value with the family's α.</summary>
public static class MultipleTesting
{
    /// <summary>
    /// Holm–Bonferroni step-down adjustment, controlling the family-wise error rate (the chance of any false alarm):
    /// with p₍₁₎ ≤ … ≤ p₍ₘ₎, p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎), returned in the input's order
    /// (as statsmodels' <c>multipletests(p, method='holm')</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A p-value is outside [0, 1] or NaN.</exception>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        int[] order = AscendingOrder(pValues, nameof(pValues));
        int m = order.Length;
        var adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1.0, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    /// <summary>
    /// Benjamini–Hochberg step-up adjustment, controlling the false discovery rate: p̃₍ᵢ₎ = min_{j ≥ i} min(1, m p₍ⱼ₎ / j),
    /// returned in the input's order (as <c>scipy.stats.false_discovery_control(p, method='bh')</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A p-value is outside [0, 1] or NaN.</exception>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        int[] order = AscendingOrder(pValues, nameof(pValues));
        int m = order.Length;
        var adjusted = new double[m];
        double running = 1.0;
        for (int rank = m - 1; rank >= 0; rank--)
        {
            running = Math.Min(running, pValues[order[rank]] * m / (rank + 1));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    private static int[] AscendingOrder(IReadOnlyList<double> pValues, string name)
    {
        ArgumentNullException.ThrowIfNull(pValues, name);
        for (int i = 0; i < pValues.Count; i++)
            if (!(pValues[i] >= 0 && pValues[i] <= 1))
                throw new ArgumentException($"Expected p-values in [0, 1], received {pValues[i]} at index {i}.", name);
        int[] order = Enumerable.Range(0, pValues.Count).ToArray();
        // A stable sort keeps tied p-values in input order; the adjusted values of ties are equal either way.
        return order.OrderBy(i => pValues[i]).ToArray();
    }
}
