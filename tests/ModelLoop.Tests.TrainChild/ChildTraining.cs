using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Tests.TrainChild;

/// <summary>
/// The run the kill/resume test repeats: data, model and options are fixed by seeds, and libtorch runs on one
/// thread, so every run — or a run killed and resumed — ends with the same weights. The model has dropout so
/// the RNG state in the checkpoint matters. Public so the test builds the same model to load what the child wrote.
/// </summary>
public static class ChildTraining
{
    public const long Seed = 20_240_611;

    /// <summary>768 samples of 8 features, 3 classes separated by a random linear map.</summary>
    public static TensorDataset Data()
    {
        using var generator = new Generator().manual_seed(Seed);
        var x = randn(768, 8, generator: generator);
        using var w = randn(8, 3, generator: generator);
        using var logits = x.matmul(w);
        return new TensorDataset(x, logits.argmax(1));
    }

    /// <summary>Dense(32, relu) → Dropout(0.25) → Dense(3), Adam 0.01, initialised from <see cref="Seed"/>.</summary>
    public static Sequential Model()
    {
        var model = new Sequential(8)
        {
            new Dense(32, Activation.Relu),
            new Dropout(0.25),
            new Dense(3),
        };
        torch.random.manual_seed(Seed);
        _ = model.Network; // built now, right after seeding
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy"]);
        return model;
    }

    public static FitOptions Options(int epochs, string checkpointPath) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Seed = Seed,
        CheckpointPath = checkpointPath,
        Progress = ProgressMode.Silent,
    };
}
