using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;

namespace ModelLoop.Optimization.Tests.Pruning;

/// <summary>Small models, data and a trained parent package for the compression tests; every test makes its own.</summary>
internal static class CompressionFixtures
{
    /// <summary>Conv2D(16) → BatchNorm → MaxPool → Conv2D → ReLU → Flatten → Dense → Dropout → Dense on (1, 8, 8) images, 3 classes. 16 channels: libtorch 2.10 CPU kernels can give NaN gradients to convolutions with 2–15 input channels.</summary>
    public static Sequential SmallCnn() => new(1, 8, 8)
    {
        new Conv2D(16, 3, Padding: Padding.Same),
        new BatchNorm(),
        new ActivationLayer(Activation.Relu),
        new MaxPool2D(2),
        new Conv2D(16, 3, Activation.Relu),
        new Flatten(),
        new Dense(10, Activation.Relu),
        new Dropout(0.1),
        new Dense(3),
    };

    /// <summary>(N, 1, 8, 8) random images and 3 classes that depend on them (the brightest quadrant), so training has something to learn.</summary>
    public static Data.TensorDataset Images(int count, long seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var x = TorchSharp.torch.rand(new long[] { count, 1, 8, 8 }, generator: generator);
        var y = x[.., 0, ..4, ..4].sum([1, 2]).gt(x[.., 0, 4.., 4..].sum([1, 2])).to(TorchSharp.torch.ScalarType.Int64)
            + x[.., 0, ..4, 4..].sum([1, 2]).gt(9).to(TorchSharp.torch.ScalarType.Int64);
        return new Data.TensorDataset(x, y);
    }

    /// <summary>The shipped breast-cancer table (569 rows, 30 numeric columns, 2 classes).</summary>
    public static DataConfig BreastCancer() => new() { Source = Shipped("breast_cancer.csv"), Label = "target", Validation = 0.1, Test = 0.2, SplitSeed = 3 };

    /// <summary>Trains an MLP on the breast-cancer table into <paramref name="folder"/>; returns the run folder.</summary>
    public static string TrainParent(string folder, IReadOnlyList<int>? hidden = null, int epochs = 4)
    {
        var result = TrainingJob.Run(ParentConfig(hidden, epochs), Options(folder));
        return result.RunDirectory;
    }

    public static TrainingConfig ParentConfig(IReadOnlyList<int>? hidden = null, int epochs = 4) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = hidden ?? [64, 32], Dropout = 0 },
        Data = BreastCancer(),
        Optimizer = new OptimizerConfig { LearningRate = 0.003 },
        Epochs = epochs,
        BatchSize = 32,
        Seed = 5,
    };

    public static TrainingJobOptions Options(string folder) => new() { OutputDirectory = folder, Track = false, Progress = ProgressMode.Silent };

    public static string Shipped(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelLoop.slnx")))
                return Path.Combine(dir.FullName, "datasets", name);
        }
        throw new DirectoryNotFoundException($"No folder holding ModelLoop.slnx above '{AppContext.BaseDirectory}'.");
    }
}
