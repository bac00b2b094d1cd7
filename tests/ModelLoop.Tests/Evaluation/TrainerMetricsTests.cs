using ModelLoop.Evaluation;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Evaluation;

public sealed class TrainerMetricsTests
{
    [Theory]
    [InlineData("f1_weighted")]
    [InlineData("precision")]
    [InlineData("recall_micro")]
    [InlineData("roc_auc")]
    [InlineData("pr_auc")]
    [InlineData("log_loss")]
    [InlineData("ece")]
    [InlineData("top_2_accuracy")]
    public void EvaluationMetricsByNameAccumulateLogitBatchesLikeTheArrayFunctions(string name)
    {
        var metric = new MetricSpec(name).Create();
        metric.Reset();
        using var generator = new Generator().manual_seed(7);
        using var logits = randn([40, 4], generator: generator);
        using var labels = randint(0, 4, [40], generator: generator);
        metric.Update(logits.narrow(0, 0, 25), labels.narrow(0, 0, 25));
        metric.Update(logits.narrow(0, 25, 15), labels.narrow(0, 25, 15));

        var probabilities = ModelOutputs.ToProbabilities(logits);
        var y = ModelOutputs.ToLabels(labels);
        var predicted = ClassificationMetrics.ArgMax(probabilities);
        var expected = name switch
        {
            "f1_weighted" => ClassificationMetrics.F1(y, predicted, 4, ClassAverage.Weighted),
            "precision" => ClassificationMetrics.Precision(y, predicted, 4),
            "recall_micro" => ClassificationMetrics.Recall(y, predicted, 4, ClassAverage.Micro),
            "roc_auc" => ClassificationMetrics.RocAuc(probabilities, y),
            "pr_auc" => ClassificationMetrics.AveragePrecision(probabilities, y),
            "log_loss" => ClassificationMetrics.LogLoss(probabilities, y),
            "ece" => ClassificationMetrics.ExpectedCalibrationError(probabilities, y),
            _ => ClassificationMetrics.TopKAccuracy(probabilities, y, 2),
        };
        Assert.Equal(name, metric.Name);
        Assert.Equal(expected, metric.Result(), 12);
    }

    [Fact]
    public void FitLogsEvaluationMetricsPerEpochAndEvaluateMatchesTheEvaluator()
    {
        using var train = ModelLoop.Tests.Training.TrainingFixtures.Classification(200, seed: 2);
        using var test = ModelLoop.Tests.Training.TrainingFixtures.Classification(100, seed: 3);
        using var model = ModelLoop.Tests.Training.TrainingFixtures.Classifier();
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy", "f1_macro", "roc_auc", "log_loss"]);

        var history = model.Fit(train, ModelLoop.Tests.Training.TrainingFixtures.Options(epochs: 2), validation: test);
        var logged = model.Evaluate(test);

        Assert.Equal(2, history["val_f1_macro"].Count);
        Assert.Equal(2, history["roc_auc"].Count);
        var evaluation = Evaluator.Evaluate(model, test).Summary.Metrics;
        Assert.Equal(evaluation["f1_macro"], logged["f1_macro"], 12);
        Assert.Equal(evaluation["roc_auc"], logged["roc_auc"], 12);
        Assert.Equal(logged["loss"], logged["log_loss"], 5); // cross-entropy of softmax outputs is the log-loss
    }

    [Fact]
    public void OneSigmoidOutputIsReadAsTheProbabilityOfClassOne()
    {
        using var output = tensor(new float[] { 0.9f, 0.2f, 0.6f, 0.4f }, [4, 1]);

        var probabilities = ModelOutputs.ToProbabilities(output);

        Assert.Equal(new[] { 0.1, 0.9 }, new[] { probabilities[0, 0], probabilities[0, 1] }.Select(v => Math.Round(v, 6)));
        Assert.Equal([1, 0, 1, 0], ClassificationMetrics.ArgMax(probabilities));
    }

    [Fact]
    public void OneOutputOutsideZeroToOneIsReadAsALogit()
    {
        using var output = tensor(new float[] { 2f, -1f }, [2, 1]);

        var probabilities = ModelOutputs.ToProbabilities(output);

        Assert.Equal(1 / (1 + Math.Exp(-2)), probabilities[0, 1], 6);
        Assert.Equal(1 / (1 + Math.Exp(1)), probabilities[1, 1], 6);
    }

    [Fact]
    public void RegressionMetricsByNameMatchTheArrayFunctions()
    {
        var r2 = new MetricSpec("r2").Create();
        var mape = new MetricSpec("mape").Create();
        double[] targets = [3, -0.5, 2, 7], predictions = [2.5, 0.0, 2, 8];
        using var output = tensor(predictions, [4, 1]);
        using var target = tensor(targets, [4, 1]);
        r2.Update(output, target);
        mape.Update(output, target);

        Assert.Equal(RegressionMetrics.R2(targets, predictions), r2.Result(), 12);
        Assert.Equal(RegressionMetrics.MeanAbsolutePercentageError(targets, predictions), mape.Result(), 12);
    }
}
