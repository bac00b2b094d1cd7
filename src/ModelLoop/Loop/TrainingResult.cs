using ModelLoop.Registry;
using ModelLoop.Training;

namespace ModelLoop.Loop;

/// <summary>What a finished <see cref="TrainingJob"/> produced.</summary>
public sealed record TrainingResult
{
    /// <summary>The run folder (config.json, history.csv, summary.json, dataset.json, artifact/).</summary>
    public required string RunDirectory { get; init; }
    /// <summary>The model package (RUN/artifact).</summary>
    public required string PackagePath { get; init; }
    /// <summary>The SHA-256 of the package's manifest: one hash over every file.</summary>
    public required string PackageSha256 { get; init; }
    /// <summary>The config as run, with the seed actually used.</summary>
    public required TrainingConfig Config { get; init; }
    public required History History { get; init; }
    /// <summary>Loss and metrics on the test part, measured once after training.</summary>
    public required IReadOnlyDictionary<string, double> Test { get; init; }
    public required double Seconds { get; init; }
    public required string DatasetHash { get; init; }
    public required long Parameters { get; init; }
    /// <summary>The tracked run's id, or null when tracking was off.</summary>
    public string? RunId { get; init; }
    /// <summary>The registered version, or null when not registered.</summary>
    public ModelVersion? Registered { get; init; }
}
