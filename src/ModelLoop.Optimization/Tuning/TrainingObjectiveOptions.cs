using ModelLoop.Native;

namespace ModelLoop.Optimization.Tuning;

/// <summary>Where a <see cref="TrainingObjective"/> puts its trials' runs and how it records them.</summary>
public sealed record TrainingObjectiveOptions
{
    /// <summary>The study's folder; trial N runs in OUTPUT/trial-000N. Defaults to runs/tune.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "tune");
    /// <summary>Run store and registry folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Record each trial as a tracked run. Defaults to true.</summary>
    public bool Track { get; init; } = true;
    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;
    /// <summary>
    /// Data already loaded for the base config, used by every trial that leaves data.* alone and never disposed here
    /// (several studies on one load, e.g. a benchmark). Defaults to null: loaded on the first trial.
    /// </summary>
    public Loop.LoadedData? Data { get; init; }
    /// <summary>Receives one-line notes (data loads). Defaults to null (silent).</summary>
    public Action<string>? Log { get; init; }
}
