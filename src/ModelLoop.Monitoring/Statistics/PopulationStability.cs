namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The population stability index, PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, with e the expected (reference) and a the
/// actual (window) proportions. Common reading: below 0.1 stable, 0.1–0.2 moderate shift, 0.2 and above a real shift.
/// </summary>
public static class PopulationStability
{
    /// <summary>
    /// What an empty bin's proportion is replaced with, on either side, so that the logarithm stays finite: 1e-4 (as
    /// Evidently). An empty bin on one side then adds about p · ln(p / 1e-4) for the other side's proportion p.
    /// </summary>
    public const double EmptyBinProportion = 1e-4;

    /// <summary>The index from aligned bin counts (or proportions); each side is normalized to sum 1 first.</summary>
    /// <exception cref="ArgumentException">Lengths differ, a count is negative, or a side sums to 0.</exception>
    public static double Index(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        var (e, a) = DistributionDistance.Proportions(expected, actual);
        double psi = 0;
        for (int k = 0; k < e.Length; k++)
        {
            double ek = e[k] == 0 ? EmptyBinProportion : e[k];
            double ak = a[k] == 0 ? EmptyBinProportion : a[k];
            psi += (ak - ek) * Math.Log(ak / ek);
        }
        return psi;
    }

    /// <summary>
    /// The index of a numeric window against a reference sample, binned at the reference's quantiles
    /// (<see cref="ModelLoop.Artifacts.FeatureReference.Quantiles"/>: [min, q10, …, q90, max]). Only the inner edges
    /// split bins (repeated edges count once), and the outer bins are open, so values beyond the reference's range fall
    /// into the first or last bin; a value equal to an inner edge belongs to the bin above it (bins are [eᵢ, eᵢ₊₁)).
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or not finite, or the edges are fewer than 2, unsorted or not finite.</exception>
    public static double Numeric(IReadOnlyList<double> reference, IReadOnlyList<double> quantileEdges, IReadOnlyList<double> window)
    {
        double[] edges = SampleChecks.FiniteCopy(quantileEdges, nameof(quantileEdges));
        if (edges.Length < 2)
            throw new ArgumentException($"Expected at least 2 bin edges ([min, …, max]), received {edges.Length}.", nameof(quantileEdges));
        for (int k = 1; k < edges.Length; k++)
            if (edges[k] < edges[k - 1])
                throw new ArgumentException($"Expected ascending bin edges, received {edges[k - 1]} before {edges[k]} at index {k}.", nameof(quantileEdges));
        double[] inner = edges[1..^1].Distinct().ToArray();
        return Index(BinCounts(SampleChecks.FiniteCopy(reference, nameof(reference)), inner),
                     BinCounts(SampleChecks.FiniteCopy(window, nameof(window)), inner));
    }

    /// <summary>
    /// The index of two category → count maps over the union of their categories (a category absent from one side
    /// is an empty bin there).
    /// </summary>
    public static double Categorical(IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, double> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        string[] categories = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal).ToArray();
        return Index(categories.Select(c => expected.GetValueOrDefault(c)).ToArray(),
                     categories.Select(c => actual.GetValueOrDefault(c)).ToArray());
    }

    /// <summary>Counts per bin: bin k holds the values with exactly k inner edges ≤ value.</summary>
    private static double[] BinCounts(double[] values, double[] innerEdges)
    {
        var counts = new double[innerEdges.Length + 1];
        foreach (double value in values)
        {
            int index = Array.BinarySearch(innerEdges, value);
            // Found: the value equals edge `index` and belongs above it; else ~index is the number of edges below it.
            counts[index >= 0 ? index + 1 : ~index]++;
        }
        return counts;
    }
}
