using System.Text.Json.Serialization;

namespace ModelLoop.Monitoring.Drift;

/// <summary>Whether a window could be judged at all.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftVerdict>))]
public enum DriftVerdict
{
    /// <summary>The window had enough items; see <see cref="DriftReport.Alarm"/>.</summary>
    Checked,
    /// <summary>The window had fewer than <see cref="DriftDetectorOptions.MinimumItems"/> items: no verdict.</summary>
    NotEnoughData,
}
