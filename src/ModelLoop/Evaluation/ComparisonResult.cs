using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelLoop.Evaluation;

/// <summary>
/// Champion vs challenger on the same test samples: the verdict, the reason in words, the McNemar test
/// (classification; null for regression) and every metric's difference with its bootstrap interval.
/// Round-trips through JSON (<see cref="ToJson"/>, <see cref="FromJson"/>) for the promotion audit trail.
/// </summary>
public sealed record ComparisonResult(
    ComparisonVerdict Verdict,
    string Reason,
    long Samples,
    McNemarTest? McNemar,
    IReadOnlyList<MetricDifference> Metrics,
    ComparisonOptions Options)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The two-sided p-value of a paired bootstrap test of the headline metric's difference, when the verdict rests on one
    /// (language models: resampled documents) rather than on <see cref="McNemar"/>. Defaults to null.
    /// </summary>
    public double? BootstrapPValue { get; init; }

    public MetricDifference this[string metric] =>
        Metrics.FirstOrDefault(m => m.Metric == metric)
        ?? throw new KeyNotFoundException($"The comparison has no metric '{metric}'; it has: {string.Join(", ", Metrics.Select(m => m.Metric))}.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ComparisonResult FromJson(string json) =>
        JsonSerializer.Deserialize<ComparisonResult>(json, Json)
        ?? throw new InvalidDataException("The comparison JSON is empty (null); expected an object written by ComparisonResult.ToJson.");
}
