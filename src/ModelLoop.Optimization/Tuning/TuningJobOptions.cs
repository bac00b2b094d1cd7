using ModelLoop.Loop;
using ModelLoop.Native;

namespace ModelLoop.Optimization.Tuning;

/// <summary>A hyperparameter search over a training config: what `modelloop tune` and any other caller hand to <see cref="TuningJob"/>.</summary>
public sealed record TuningJobOptions
{
    /// <summary>The base config the space's values are applied to.</summary>
    public required TrainingConfig Config { get; init; }
    public required SearchSpace Space { get; init; }
    /// <summary>The study's name; an existing study of that name is resumed.</summary>
    public required string Study { get; init; }
    /// <summary>The study's total trial budget (every worker, earlier runs included). Defaults to 20.</summary>
    public int Trials { get; init; } = 20;
    /// <summary>Start no new trial after this long. Defaults to null (no limit).</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Defaults to a <see cref="TpeSampler"/> with a random seed.</summary>
    public Sampler Sampler { get; init; } = new TpeSampler();
    /// <summary>Defaults to a <see cref="MedianPruner"/> (Optuna's default).</summary>
    public Pruner? Pruner { get; init; } = new MedianPruner();
    /// <summary>The metric reported every epoch and optimized. Defaults to null: val_accuracy for classification, val_loss for regression (without a validation split: accuracy, loss).</summary>
    public string? Metric { get; init; }
    /// <summary>Defaults to null: maximize for accuracy, minimize for loss; required with another <see cref="Metric"/>.</summary>
    public StudyDirection? Direction { get; init; }
    /// <summary>The study's folder: trial runs (trial-NNNN), summary, plots. Defaults to runs/tune/STUDY.</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>Run store, registry and studies.db folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;
    /// <summary>Called after each trial this worker finishes, with every trial of the study. Defaults to null.</summary>
    public Action<TrialRecord, IReadOnlyList<TrialRecord>>? OnTrialFinished { get; init; }
    /// <summary>A RUNNING trial whose heartbeat is older than this is failed as abandoned. Defaults to 60 s.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The study folder in use.</summary>
    public string Output => OutputDirectory ?? Path.Combine("runs", "tune", Study);
}
