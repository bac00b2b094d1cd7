namespace ModelLoop.Tracking;

/// <summary>One tracked run as stored: parameters, system info, dataset, status, last metric values, artifacts.</summary>
public sealed record RunRecord(
    string Id,
    string Name,
    RunStatus Status,
    DateTimeOffset StartedUtc,
    DateTimeOffset? EndedUtc,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> SystemInfo,
    string? DatasetManifestHash,
    string? Error,
    string Host,
    int ProcessId,
    IReadOnlyDictionary<string, double> LastMetrics,
    IReadOnlyList<RunArtifact> Artifacts)
{
    /// <summary>Wall time from start to end (or to now for a running run).</summary>
    public TimeSpan Duration => (EndedUtc ?? DateTimeOffset.UtcNow) - StartedUtc;
}
