using ModelLoop.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>What a <see cref="StepPlugin"/> sees of a running <c>Fit</c>: the model, the optimizer's parameter groups and where training is.</summary>
public sealed class StepContext
{
    internal StepContext(Model model, IReadOnlyList<OptimizerGroup> parameterGroups, int accumulateGradientBatches)
        : this(model, parameterGroups, accumulateGradientBatches, 0, 0, 0, 0) { }

    internal StepContext(Model model, IReadOnlyList<OptimizerGroup> parameterGroups, int accumulateGradientBatches,
        long trainingSamples, int batchSize, int epochs, long stepsPerEpoch)
    {
        TrainingSamples = trainingSamples;
        BatchSize = batchSize;
        Epochs = epochs;
        StepsPerEpoch = stepsPerEpoch;
        Model = model;
        ParameterGroups = parameterGroups;
        AccumulateGradientBatches = accumulateGradientBatches;
    }

    public Model Model { get; }
    /// <summary>Where the model's parameters and each batch are.</summary>
    public Device Device => Model.Device;
    /// <summary>The trainable parameters, as the optimizer groups them (see <see cref="CompileOptions.ParameterGroups"/>).</summary>
    public IReadOnlyList<OptimizerGroup> ParameterGroups { get; }
    /// <summary>Every trainable parameter with its name, group by group.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters => ParameterGroups.SelectMany(g => g.Parameters);

    /// <summary>Samples in the training set (N).</summary>
    public long TrainingSamples { get; }
    /// <summary>The batch size asked for: the expected batch size under <see cref="Data.Loading.BatchSampling.Poisson"/>.</summary>
    public int BatchSize { get; }
    /// <summary>Epochs the run is set to train.</summary>
    public int Epochs { get; }
    /// <summary>Optimizer steps per epoch.</summary>
    public long StepsPerEpoch { get; }
    /// <summary>Zero-based index of the current epoch.</summary>
    public int Epoch { get; internal set; }
    /// <summary>Zero-based index of the current batch within the epoch.</summary>
    public long Batch { get; internal set; }
    /// <summary>Zero-based index, over the whole run, of the optimizer step the current batch contributes to.</summary>
    public long Step { get; internal set; }
    /// <summary>Batches per optimizer step (<see cref="FitOptions.AccumulateGradientBatches"/>).</summary>
    public int AccumulateGradientBatches { get; }
    /// <summary>
    /// Batches whose mean gradient the current optimizer step takes: <see cref="AccumulateGradientBatches"/>, or fewer
    /// for the last step of an epoch whose batch count it does not divide.
    /// </summary>
    public int BatchesInStep { get; internal set; } = 1;
    /// <summary>The current batch's targets (labels for a classifier), as the loss receives them; null outside a batch.</summary>
    public Tensor? Targets { get; internal set; }
}
