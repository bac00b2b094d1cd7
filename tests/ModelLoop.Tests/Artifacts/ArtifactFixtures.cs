using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Artifacts;

/// <summary>A small trained model (with batch-norm buffers, so not only parameters travel) and its data.</summary>
internal static class ArtifactFixtures
{
    public static TensorDataset Data(long n = 96, long seed = 3)
    {
        using var generator = new Generator().manual_seed(seed);
        var x = randn(n, 6, generator: generator);
        using var w = randn(6, 3, generator: generator);
        using var logits = x.matmul(w);
        return new TensorDataset(x, logits.argmax(1));
    }

    /// <summary>Dense → BatchNorm → Dropout → Dense, trained two epochs so weights and running statistics moved.</summary>
    public static Sequential TrainedModel(TensorDataset data)
    {
        torch.random.manual_seed(5);
        var model = new Sequential(6)
        {
            new Dense(12, Activation.Relu),
            new BatchNorm(),
            new Dropout(0.1),
            new Dense(3),
        };
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy"]);
        model.Fit(data, new FitOptions { Epochs = 2, BatchSize = 16, Seed = 5, Progress = ProgressMode.Silent });
        return model;
    }

    /// <summary>The raw bytes of a float32 prediction, for bit-for-bit comparison.</summary>
    public static byte[] PredictionBytes(Model model, Tensor inputs)
    {
        using var output = model.Predict(inputs);
        return output.contiguous().bytes.ToArray();
    }
}
