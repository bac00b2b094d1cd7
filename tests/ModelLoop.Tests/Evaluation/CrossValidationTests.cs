using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Evaluation;

public sealed class CrossValidationTests
{
    [Theory]
    [InlineData(10, 3, false)]
    [InlineData(23, 5, true)]
    [InlineData(7, 7, false)]
    public void EverySampleIsTestedExactlyOnceAndFoldSizesDifferByAtMostOne(int count, int folds, bool shuffle)
    {
        var split = FoldSplitter.TestFolds(count, folds, classes: null, shuffle, seed: 1);

        Assert.Equal(folds, split.Length);
        Assert.Equal(Enumerable.Range(0, count), split.SelectMany(f => f).Order());
        Assert.InRange(split.Max(f => f.Length) - split.Min(f => f.Length), 0, 1);
        if (!shuffle)
            Assert.Equal(Enumerable.Range(0, split[0].Length), split[0]); // contiguous, as scikit-learn's KFold
    }

    [Fact]
    public void StratifiedFoldsKeepEveryClassesCountWithinOne()
    {
        var classes = Enumerable.Range(0, 50).Select(i => i < 30 ? 0 : i < 45 ? 1 : 2).ToArray(); // 30 / 15 / 5

        var split = FoldSplitter.TestFolds(50, 5, classes, shuffle: true, seed: 3);

        Assert.Equal(Enumerable.Range(0, 50), split.SelectMany(f => f).Order());
        foreach (var (c, total) in new[] { (0, 30), (1, 15), (2, 5) })
            Assert.All(split, fold => Assert.InRange(fold.Count(i => classes[i] == c), total / 5, total / 5 + 1));
    }

    [Fact]
    public void TooManyFoldsIsRejectedWithTheCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => FoldSplitter.TestFolds(4, 5, null, false, 0));

        Assert.Contains("4 samples into 5 folds", error.Message, StringComparison.Ordinal);
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
