using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>What a callback sees of a running <c>Fit</c>, and the one flag it may set to stop it.</summary>
public sealed class TrainingContext
{
    private readonly TorchSharp.Modules.OptimizerHelper _optimizer;

    internal TrainingContext(Model model, TorchSharp.Modules.OptimizerHelper optimizer, int epochs, long batchesPerEpoch, IReadOnlyList<string> logKeys)
    {
        Model = model;
        _optimizer = optimizer;
        Epochs = epochs;
        BatchesPerEpoch = batchesPerEpoch;
        LogKeys = logKeys;
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

    /// <summary>Set to true to end training after the current epoch.</summary>
    public bool StopTraining { get; set; }
    /// <summary>Why training was stopped; shown to the user and kept in the history.</summary>
    public string? StopReason { get; set; }

    /// <summary>
    /// The optimizer's base learning rate (before the per-batch schedule is applied). Setting it affects
    /// every parameter group from the next batch on.
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

    internal void ApplyLearningRate(double rate)
    {
        foreach (var group in _optimizer.ParamGroups)
            group.LearningRate = rate;
    }
}
