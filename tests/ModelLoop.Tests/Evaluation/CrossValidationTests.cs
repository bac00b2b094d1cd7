using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Evaluation;

public sealed class CrossValidationTests
{
    [Fact]
    public void TooManyFoldsIsRejectedWithTheCounts()
    {
        using var data = TrainingFixtures.Classification(4, seed: 1);
        var spec = new Sequential(4) { new Dense(3) }.ToSpec();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidation.Run(spec, m => m.Compile("adam", "cross_entropy"), data, new CrossValidationOptions { Folds = 5 }));

        Assert.Contains("number of rows (4)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrossValidatingASpecReportsEveryFoldAndTheirMeanAndStd()
    {
        using var data = TrainingFixtures.Classification(240, seed: 4);
        var spec = new Sequential(4) { new Dense(16, Activation.Relu), new Dense(3) }.ToSpec();

        var result = CrossValidation.Run(spec, m => m.Compile(OptimizerOptions.Adam(0.02), Loss.CrossEntropy()), data,
            new CrossValidationOptions { Folds = 4, Fit = TrainingFixtures.Options(epochs: 8, batchSize: 32) });

        Assert.Equal(4, result.Folds.Count);
        var accuracies = result.Folds.Select(f => f["accuracy"]).ToArray();
        var mean = accuracies.Average();
        Assert.Equal(mean, result.Summary["accuracy"].Mean, 12);
        Assert.Equal(Math.Sqrt(accuracies.Select(a => (a - mean) * (a - mean)).Average()), result.Summary["accuracy"].Std, 12);
        Assert.True(mean > 0.8, $"mean accuracy {mean} on a linearly separable task");
        Assert.True(result.Summary.ContainsKey("f1_macro") && result.Summary.ContainsKey("roc_auc"));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void ARareClassProducesAWarning()
    {
        using var features = TrainingFixtures.Classification(40, seed: 4);
        var labels = Enumerable.Range(0, 40).Select(i => i == 0 ? 2L : i % 2).ToArray(); // class 2 once
        using var relabelled = new ModelLoop.Data.TensorDataset(features.Features.clone(), TorchSharp.torch.tensor(labels));
        var spec = new Sequential(4) { new Dense(3) }.ToSpec();

        var result = CrossValidation.Run(spec, m => m.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy()), relabelled,
            new CrossValidationOptions { Folds = 3, Fit = TrainingFixtures.Options(epochs: 1) });

        Assert.Contains(result.Warnings, w => w.Contains("Class 2 has only 1 samples", StringComparison.Ordinal));
    }
}
