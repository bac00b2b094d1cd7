using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>What a callback sees of a running <c>Fit</c>, and the one flag it may set to stop it.</summary>
public sealed class TrainingContext
{
    private readonly TorchSharp.Modules.OptimizerHelper _optimizer;
    private readonly IReadOnlyList<OptimizerGroup> _groups;
    private readonly IReadOnlyDictionary<string, MetricDirection> _directions;

    internal TrainingContext(Model model, TorchSharp.Modules.OptimizerHelper optimizer, IReadOnlyList<OptimizerGroup> groups, int epochs, long batchesPerEpoch,
        IReadOnlyList<string> logKeys, IReadOnlyDictionary<string, MetricDirection> directions)
    {
        Model = model;
        _optimizer = optimizer;
        _groups = groups;
        Epochs = epochs;
        BatchesPerEpoch = batchesPerEpoch;
        LogKeys = logKeys;
        _directions = directions;
    }

    public Model Model { get; }
    /// <summary>Zero-based index of the current epoch.</summary>
    public int Epoch { get; internal set; }
    public int Epochs { get; }
    /// <summary>Zero-based index of the current batch within the epoch.</summary>
    public long Batch { get; internal set; }
    public long BatchesPerEpoch { get; }
    /// <summary>Results so far: "loss" during an epoch; at its end also metrics, "val_*", "lr" and "seconds".</summary>
    public IReadOnlyDictionary<string, double> Logs { get; internal set; } = new Dictionary<string, double>();

    /// <summary>Every key the epoch logs will hold, known before the first epoch so callbacks can check theirs.</summary>
    public IReadOnlyList<string> LogKeys { get; }

    /// <summary>
    /// Which way a logged value improves, as its metric says ("loss" and "val_loss" are lower-is-better); null for keys
    /// that are not metrics ("lr", "seconds") or not logged.
    /// </summary>
    public MetricDirection? DirectionOf(string key) => _directions.TryGetValue(key, out var direction) ? direction : null;

    /// <summary>Set to true to end training after the current epoch.</summary>
    public bool StopTraining { get; set; }
    /// <summary>Why training was stopped; shown to the user and kept in the history.</summary>
    public string? StopReason { get; set; }

    /// <summary>
    /// The optimizer's base learning rate (before the per-step schedule is applied). Setting it affects
    /// every parameter group, in proportion to its <see cref="OptimizerGroup.LearningRateScale"/>, from the next step on.
    /// </summary>
    public double LearningRate
    {
        get => BaseLearningRate;
        set
        {
            if (!(value > 0))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Learning rate must be positive.");
            BaseLearningRate = value;
        }
    }

    internal double BaseLearningRate { get; set; }

    /// <summary>Sets every group's rate to <paramref name="rate"/> × its scale (the groups are in the optimizer's order).</summary>
    internal void ApplyLearningRate(double rate)
    {
        var index = 0;
        foreach (var group in _optimizer.ParamGroups)
        {
            var ours = _groups[index++];
            ours.LearningRate = rate * ours.LearningRateScale;
            group.LearningRate = ours.LearningRate;
        }
    }
}
