using System.Text.Json.Serialization;
using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Drift;

/// <summary>
/// One comparison of the window with the reference. A test fills <see cref="PValue"/> and
/// <see cref="AdjustedPValue"/> (Holm over the window's tests) and has <see cref="Threshold"/> = α; a distance leaves the
/// p-values null and has its own <see cref="Threshold"/>. A check without enough values has a null
/// <see cref="Statistic"/> and says so in <see cref="Note"/>.
/// </summary>
public sealed record DriftCheck
{
    /// <summary>The feature's name, or "embedding", "predicted class", "confidence", "predicted value".</summary>
    public required string Name { get; init; }
    public required DriftSubject Subject { get; init; }
    /// <summary>The feature's kind; null for checks that are not about an input feature.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<FeatureKind>))]
    public FeatureKind? Kind { get; init; }
    /// <summary>The method; null when the check could not run.</summary>
    public DriftMethod? Method { get; init; }
    /// <summary>How many window values the check used (missing numeric values are left out).</summary>
    public int Items { get; init; }
    /// <summary>The test statistic (KS D, χ², MMD²) or the distance; null when the check could not run.</summary>
    public double? Statistic { get; init; }
    public double? PValue { get; init; }
    /// <summary>The p-value after the Holm correction over every test of the window.</summary>
    public double? AdjustedPValue { get; init; }
    /// <summary>α for a test (drifted when the adjusted p-value ≤ α), the distance's threshold otherwise (drifted when ≥).</summary>
    public double? Threshold { get; init; }
    public bool Drifted { get; init; }
    /// <summary>How to read the check: the method's details, or why it could not run.</summary>
    public string? Note { get; init; }

    /// <summary>
    /// How far the check is into drift, 1 at its threshold: log10(adjusted p) / log10(α) for a test, statistic / threshold
    /// for a distance; 0 for a check that could not run; capped at <paramref name="cap"/> so one huge value does not
    /// flatten the rest. The window's <see cref="DriftReport.Score"/> is the largest.
    /// </summary>
    public double Severity(double cap = 10)
    {
        if (Statistic is null || Threshold is not double threshold) return 0;
        double severity = AdjustedPValue is double p
            ? (p <= 0 ? cap : Math.Log10(p) / Math.Log10(threshold))
            : Statistic.Value / threshold;
        return Math.Clamp(severity, 0, cap);
    }
}
