using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Evaluation;

public sealed class EvaluatorTests
{
    [Fact]
    public void ClassificationEvaluationAgreesWithTheArrayMetricsOnTheModelsOwnOutputs()
    {
        using var train = EvaluationFixtures.Quadrants(300);
        using var test = EvaluationFixtures.Quadrants(200, seed: 9);
        using var model = EvaluationFixtures.TrainedImageClassifier(train);

        var result = Evaluator.Evaluate(model, test, new EvaluationOptions { ClassNames = EvaluationFixtures.QuadrantNames, TopK = 2 });

        using var output = model.Predict(test.Features);
        var probabilities = ModelOutputs.ToProbabilities(output);
        var labels = ModelOutputs.ToLabels(test.Labels);
        var predicted = ClassificationMetrics.ArgMax(probabilities);
        var metrics = result.Summary.Metrics;
        Assert.Equal(ClassificationMetrics.Accuracy(labels, predicted), metrics["accuracy"], 12);
        Assert.Equal(ClassificationMetrics.F1(labels, predicted, 3, ClassAverage.Weighted), metrics["f1_weighted"], 12);
        Assert.Equal(ClassificationMetrics.RocAuc(probabilities, labels), metrics["roc_auc"], 12);
        Assert.Equal(ClassificationMetrics.TopKAccuracy(probabilities, labels, 2), metrics["top_2_accuracy"], 12);
        Assert.Equal(model.Evaluate(test)["accuracy"], metrics["accuracy"], 6);
        Assert.Equal(EvaluationFixtures.QuadrantNames, result.Summary.ClassNames);
        Assert.Equal(200, result.Summary.ConfusionMatrix.Sum(row => row.Sum()));
    }

    [Fact]
    public void TheMostConfidentlyWrongExamplesAreWrongAndSortedByConfidence()
    {
        using var train = EvaluationFixtures.Quadrants(300);
        using var test = EvaluationFixtures.Quadrants(200, seed: 9);
        using var model = EvaluationFixtures.TrainedImageClassifier(train, epochs: 1);

        var result = Evaluator.Evaluate(model, test, new EvaluationOptions { WrongExamples = 5 });

        var wrong = result.Summary.MostConfidentlyWrong;
        Assert.InRange(wrong.Count, 1, 5);
        Assert.All(wrong, w => Assert.NotEqual(w.Label, w.Predicted));
        Assert.All(wrong, w => Assert.Equal(test.Labels[w.Index].item<long>(), w.Label));
        Assert.Equal(wrong.OrderByDescending(w => w.Confidence).Select(w => w.Index), wrong.Select(w => w.Index));
        Assert.Equal(wrong.Count, result.WrongExampleImages.Count);
        Assert.Equal([1, 8, 8], result.ImageShape);
        Assert.Equal(test.Features[wrong[0].Index].flatten().data<float>().ToArray(), result.WrongExampleImages[0]);
    }

    [Fact]
    public void FloatLabelsAreEvaluatedAsRegression()
    {
        using var generator = new Generator().manual_seed(2);
        var x = randn([64, 3], generator: generator);
        var y = x.sum(1, keepdim: true) * 2;
        using var data = new TensorDataset(x, y);
        using var model = new Sequential(3) { new Dense(1) };
        ModelLoop.Tests.Training.TrainingFixtures.BuildSeeded(model, 1);

        var result = Evaluator.Evaluate(model, data);

        Assert.Equal(EvaluationTask.Regression, result.Summary.Task);
        using var output = model.Predict(x);
        var predicted = output.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
        var targets = y.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(RegressionMetrics.R2(targets, predicted), result.Summary.Metrics["r2"], 12);
        Assert.Equal(RegressionMetrics.MeanAbsolutePercentageError(targets, predicted), result.Summary.Metrics["mape"], 12);
    }
}
