using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Training.Recipes;

/// <summary>
/// A tested way to train a small image classifier fast on a CPU: <see cref="ModelZoo.BatchNormCnn"/>,
/// inputs standardized with the training set's mean and standard deviation, SGD with Nesterov momentum,
/// a one-cycle schedule, label smoothing, and bfloat16 where the CPU does it natively. On Fashion-MNIST
/// with 2 cores it reaches ~93% test accuracy in about two minutes (docs/benchmarks.md).
/// </summary>
public sealed record ImageClassifierRecipe
{
    /// <summary>Defaults to 4.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Defaults to 128.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Peak learning rate of the one-cycle schedule. Defaults to 0.1.</summary>
    public double PeakLearningRate { get; init; } = 0.1;
    /// <summary>Defaults to 5e-4.</summary>
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Defaults to 0.1.</summary>
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>First-stage channels of the CNN. Defaults to 32.</summary>
    public int Width { get; init; } = 32;
    /// <summary>Convolutions per stage. Defaults to [1, 2, 2].</summary>
    public IReadOnlyList<int> ConvsPerStage { get; init; } = [1, 2, 2];
    /// <summary>Random horizontal flips of training images (helps long runs, hurts 3–4 epoch runs). Defaults to false.</summary>
    public bool Flip { get; init; }
    /// <summary>Defaults to bfloat16 where the CPU has it natively, float32 otherwise.</summary>
    public Precision Precision { get; init; } = TorchRuntime.CpuHasNativeBFloat16 ? Precision.BFloat16 : Precision.Float32;

    public Sequential CreateModel(Shape inputShape, int classes) =>
        ModelZoo.BatchNormCnn(inputShape, classes, Width, ConvsPerStage);

    public void Compile(Model model) =>
        model.Compile(OptimizerOptions.Sgd(PeakLearningRate, momentum: 0.9, nesterov: true, weightDecay: WeightDecay),
            Loss.CrossEntropy(LabelSmoothing), ["accuracy"]);

    public FitOptions FitOptions(long? seed = null) => new()
    {
        Epochs = Epochs,
        BatchSize = BatchSize,
        Seed = seed,
        Schedule = LearningRateSchedule.OneCycle(peakFraction: 0.25),
        Precision = Precision,
        Augment = Flip ? RandomHorizontalFlip : null,
    };

    /// <summary>Flips each image of a (N, C, H, W) batch left-right with probability ½, using torch's global RNG.</summary>
    public static Tensor RandomHorizontalFlip(Tensor batch)
    {
        using var coin = rand(batch.shape[0], device: batch.device).lt(0.5).reshape(-1, 1, 1, 1);
        using var flipped = batch.flip(3);
        return where(coin, flipped, batch);
    }

    /// <summary>
    /// Standardizes the features of every dataset in place with the mean and standard deviation of the
    /// first (the training set), so no statistic leaks from test data. Returns (mean, std).
    /// </summary>
    public static (double Mean, double Std) Standardize(TensorDataset train, params TensorDataset[] others)
    {
        var mean = train.Features.mean().item<float>();
        var std = train.Features.std().item<float>();
        if (!(std > 0))
            throw new ArgumentException($"The training images have standard deviation {std}; expected a positive value. Are they all the same?");
        foreach (var data in others.Prepend(train))
            data.Features.sub_(mean).div_(std);
        return (mean, std);
    }
}
