using System.Text.Json;
using System.Text.Json.Serialization;
using ModelLoop.Monitoring.Drift;

namespace ModelLoop.Monitoring.Live;

/// <summary>
/// A model's monitoring over a time range (<see cref="LiveMonitor.Evaluate"/>): windows in traffic order, alarms, and the
/// live accuracy of each version on its labelled items. What `GET /v1/models/{name}/monitoring`, `modelloop monitor`,
/// the retraining policy and the demo read; it serializes to JSON.
/// </summary>
public sealed record MonitoringReport
{
    public required string Model { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public long Requests { get; init; }
    public long Items { get; init; }
    /// <summary>Items whose true answer is known (feedback).</summary>
    public long Labelled { get; init; }
    public IReadOnlyList<MonitoringWindow> Windows { get; init; } = [];
    /// <summary>Per version: accuracy on all its labelled items (null when it has none) and its reference accuracy.</summary>
    public IReadOnlyList<VersionAccuracy> Versions { get; init; } = [];
    /// <summary>Versions that served traffic but carry no reference profile (trained before monitoring existed): not checked for drift.</summary>
    public IReadOnlyList<string> Unmonitored { get; init; } = [];

    /// <summary>Windows that raised an alarm.</summary>
    [JsonIgnore]
    public IEnumerable<MonitoringWindow> Alarms => Windows.Where(w => w.Alarm);

    /// <summary>The newest window, or null.</summary>
    [JsonIgnore]
    public MonitoringWindow? Latest => Windows.Count == 0 ? null : Windows[^1];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A version's accuracy on every labelled item it served, next to its reference (held-out) accuracy.</summary>
public sealed record VersionAccuracy(string Version, long Items, LiveAccuracy? Accuracy, double? ReferenceAccuracy);
