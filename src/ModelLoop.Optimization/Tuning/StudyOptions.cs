using ModelLoop.Loop;

namespace ModelLoop.Optimization.Tuning;

/// <summary>How a study searches: direction, metric, sampler, pruner and how workers watch each other.</summary>
public sealed record StudyOptions
{
    /// <summary>Defaults to Maximize.</summary>
    public StudyDirection Direction { get; init; } = StudyDirection.Maximize;
    /// <summary>The metric the objective returns and reports per step. Defaults to val_accuracy.</summary>
    public string Metric { get; init; } = "val_accuracy";
    /// <summary>Defaults to a <see cref="TpeSampler"/> with a random seed.</summary>
    public Sampler Sampler { get; init; } = new TpeSampler();
    /// <summary>Defaults to null (no pruning).</summary>
    public Pruner? Pruner { get; init; }
    /// <summary>The config the space's values are applied to (its fields decide conditions on unsampled fields). Defaults to a default config.</summary>
    public TrainingConfig BaseConfig { get; init; } = new();
    /// <summary>How often a running trial's worker writes its heartbeat. Defaults to 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A RUNNING trial whose heartbeat is older than this is failed as abandoned (its worker was killed). Defaults to 60 s.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);
}
