using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// One answered predict request as the server hands it to the log: who asked which model version when, how long it
/// took, and per item the outputs, what was kept of the input (<see cref="Storage"/>) and the monitored features.
/// </summary>
public sealed record PredictionRecord
{
    /// <summary>The id returned to the client (response body and X-Request-Id header); feedback names it.</summary>
    public required string RequestId { get; init; }
    public required string TenantId { get; init; }
    public required string Model { get; init; }
    public required string Version { get; init; }
    /// <summary>What the version's outputs mean, kept once per version.</summary>
    public required LoggedModelInfo Info { get; init; }
    public DateTimeOffset TimeUtc { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>From the request's arrival to its outputs (queue + batch + forward), in milliseconds.</summary>
    public double LatencyMs { get; init; }
    public InputStorage Storage { get; init; }
    public InputFormat Format { get; init; }
    /// <summary>One item's input shape as received (before preprocessing), e.g. [1, 28, 28]; empty for records.</summary>
    public IReadOnlyList<long> ItemShape { get; init; } = [];
    public required IReadOnlyList<ItemRecord> Items { get; init; }
}

/// <summary>One item of a <see cref="PredictionRecord"/>.</summary>
/// <param name="Outputs">The model's raw outputs for the item (logits for a classifier).</param>
public sealed record ItemRecord(float[] Outputs)
{
    /// <summary>The record as JSON (raw, or anonymized) when the format is <see cref="InputFormat.Record"/> and the storage keeps inputs.</summary>
    public string? InputJson { get; init; }
    /// <summary>The item's values before preprocessing (tensors, images in [0, 1]) when the storage keeps inputs.</summary>
    public float[]? InputValues { get; init; }
    /// <summary>SHA-256 (hex) of the raw input; null with <see cref="InputStorage.None"/>.</summary>
    public string? InputSha256 { get; init; }
    /// <summary>What drift detection reads; null when feature logging is off.</summary>
    public MonitoredItem? Monitored { get; init; }
}
