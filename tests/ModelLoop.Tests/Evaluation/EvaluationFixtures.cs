using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Evaluation;

/// <summary>Small seeded image and tabular tasks and models for the evaluation and report tests.</summary>
internal static class EvaluationFixtures
{
    public static readonly string[] QuadrantNames = ["top-left", "top-right", "bottom"];

    /// <summary>
    /// (n, 1, 8, 8) noisy images; the label says which region is bright: top-left, top-right or the bottom half.
    /// Noise makes some samples ambiguous, so a trained model is good but not perfect.
    /// </summary>
    public static TensorDataset Quadrants(long n, long seed = 3)
    {
        using var generator = new Generator().manual_seed(seed);
        var labels = randint(0, 3, [n], generator: generator);
        var images = randn([n, 1, 8, 8], generator: generator) * 0.9f;
        var labelValues = labels.data<long>().ToArray();
        for (var i = 0; i < n; i++)
        {
            using var region = labelValues[i] switch
            {
                0 => images[i, 0].narrow(0, 0, 4).narrow(1, 0, 4),
                1 => images[i, 0].narrow(0, 0, 4).narrow(1, 4, 4),
                _ => images[i, 0].narrow(0, 4, 4),
            };
            region.add_(0.6f);
        }
        return new TensorDataset(images, labels);
    }

    /// <summary>Flatten → Dense(3), trained for a few epochs on <paramref name="train"/> (seeded).</summary>
    public static Sequential TrainedImageClassifier(TensorDataset train, int epochs = 3)
    {
        var model = new Sequential(1, 8, 8) { new Flatten(), new Dense(3) };
        ModelLoop.Tests.Training.TrainingFixtures.BuildSeeded(model, 5);
        model.Compile(OptimizerOptions.Adam(0.02), Loss.CrossEntropy(), ["accuracy"]);
        model.Fit(train, ModelLoop.Tests.Training.TrainingFixtures.Options(epochs: epochs, batchSize: 32));
        return model;
    }

    public static IReadOnlyList<IReadOnlyDictionary<string, double>> History(History history) =>
        history.Epochs.Select((e, i) => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(e) { ["epoch"] = i + 1 }).ToArray();
}
