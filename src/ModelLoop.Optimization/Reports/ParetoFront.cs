namespace ModelLoop.Optimization.Reports;

/// <summary>Which variants are worth keeping: those no other variant beats on accuracy, latency and size at once.</summary>
public static class ParetoFront
{
    /// <summary>
    /// Returns the measurements with <see cref="VariantMeasurement.OnParetoFront"/> set: a variant is dominated when
    /// another is at least as accurate (lower MSE for regression), at least as fast at batch 1 and at least as small,
    /// and strictly better on one of them. An unknown size counts as no better than any.
    /// </summary>
    public static IReadOnlyList<VariantMeasurement> Mark(IReadOnlyList<VariantMeasurement> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        return variants.Select(v => v with { OnParetoFront = !variants.Any(o => !ReferenceEquals(o, v) && Dominates(o, v)) }).ToList();
    }

    /// <summary>True when <paramref name="a"/> is no worse than <paramref name="b"/> everywhere and better somewhere.</summary>
    public static bool Dominates(VariantMeasurement a, VariantMeasurement b)
    {
        var quality = Compare(Quality(a), Quality(b));
        var latency = Compare(-a.Batch1LatencyMs, -b.Batch1LatencyMs);
        var size = Compare(-(a.SizeBytes ?? long.MaxValue), -(b.SizeBytes ?? long.MaxValue));
        return quality >= 0 && latency >= 0 && size >= 0 && (quality > 0 || latency > 0 || size > 0);
    }

    private static double Quality(VariantMeasurement v) => v.Accuracy ?? -(v.MeanSquaredError ?? double.PositiveInfinity);

    private static int Compare(double a, double b) => a.CompareTo(b);
}
