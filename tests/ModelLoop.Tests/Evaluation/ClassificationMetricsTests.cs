using System.Text.Json;
using ModelLoop.Evaluation;
using static ModelLoop.Tests.Evaluation.SklearnFixtures;

namespace ModelLoop.Tests.Evaluation;

public sealed class ClassificationMetricsTests
{
    private static (int[] Labels, double[,] Probabilities, int[] Predicted, int Classes) Inputs(JsonElement c)
    {
        var probabilities = c.GetProperty("probabilities").Matrix();
        return (c.GetProperty("labels").Ints(), probabilities, ClassificationMetrics.ArgMax(probabilities), c.GetProperty("classes").GetInt32());
    }

    [Theory]
    [MemberData(nameof(ClassificationNames), MemberType = typeof(SklearnFixtures))]
    public void AccuracyConfusionMatrixAndPerClassScoresMatchScikitLearn(string name)
    {
        var c = ClassificationCase(name);
        var (labels, _, predicted, classes) = Inputs(c);

        Close(c.Expected("accuracy"), ClassificationMetrics.Accuracy(labels, predicted), "accuracy");
        var confusion = ClassificationMetrics.ConfusionMatrix(labels, predicted, classes);
        var expected = c.GetProperty("expected").GetProperty("confusion").EnumerateArray().Select(r => r.Ints()).ToArray();
        for (var t = 0; t < classes; t++)
            for (var p = 0; p < classes; p++)
                Assert.Equal(expected[t][p], confusion[t, p]);
        var scores = ClassificationMetrics.PrecisionRecallF1(labels, predicted, classes);
        Close(c.GetProperty("expected").GetProperty("per_class_precision").Doubles(), scores.Precision, "precision");
        Close(c.GetProperty("expected").GetProperty("per_class_recall").Doubles(), scores.Recall, "recall");
        Close(c.GetProperty("expected").GetProperty("per_class_f1").Doubles(), scores.F1, "f1");
        Assert.Equal(c.GetProperty("expected").GetProperty("support").Ints().Select(s => (long)s), scores.Support);
    }

    [Theory]
    [MemberData(nameof(ClassificationNames), MemberType = typeof(SklearnFixtures))]
    public void MacroMicroAndWeightedAveragesMatchScikitLearn(string name)
    {
        var c = ClassificationCase(name);
        var (labels, _, predicted, classes) = Inputs(c);

        foreach (var (average, suffix) in new[] { (ClassAverage.Macro, "macro"), (ClassAverage.Micro, "micro"), (ClassAverage.Weighted, "weighted") })
        {
            Close(c.Expected($"precision_{suffix}"), ClassificationMetrics.Precision(labels, predicted, classes, average), $"precision_{suffix}");
            Close(c.Expected($"recall_{suffix}"), ClassificationMetrics.Recall(labels, predicted, classes, average), $"recall_{suffix}");
            Close(c.Expected($"f1_{suffix}"), ClassificationMetrics.F1(labels, predicted, classes, average), $"f1_{suffix}");
        }
    }

    [Theory]
    [MemberData(nameof(ClassificationNames), MemberType = typeof(SklearnFixtures))]
    public void LogLossTopKAndCalibrationErrorMatchTheReference(string name)
    {
        var c = ClassificationCase(name);
        var (labels, probabilities, _, _) = Inputs(c);

        Close(c.Expected("log_loss"), ClassificationMetrics.LogLoss(probabilities, labels), "log_loss");
        Close(c.Expected("ece"), ClassificationMetrics.ExpectedCalibrationError(probabilities, labels), "ece");
        foreach (var k in new[] { 1, 2, 3 }.Where(k => c.Has($"top_{k}_accuracy")))
            Close(c.Expected($"top_{k}_accuracy"), ClassificationMetrics.TopKAccuracy(probabilities, labels, k), $"top_{k}_accuracy");
    }

    [Theory]
    [MemberData(nameof(ClassificationNames), MemberType = typeof(SklearnFixtures))]
    public void RocAucAndAveragePrecisionMatchScikitLearnOrAreNaNWhenUndefined(string name)
    {
        var c = ClassificationCase(name);
        var (labels, probabilities, _, classes) = Inputs(c);

        if (classes == 2)
        {
            Close(c.Expected("roc_auc"), ClassificationMetrics.RocAuc(probabilities, labels), "roc_auc");
            Close(c.Expected("average_precision"), ClassificationMetrics.AveragePrecision(probabilities, labels), "average_precision");
            return;
        }
        foreach (var (average, suffix) in new[] { (ClassAverage.Macro, "macro"), (ClassAverage.Micro, "micro"), (ClassAverage.Weighted, "weighted") })
        {
            Close(c.Expected($"roc_auc_{suffix}"), ClassificationMetrics.RocAuc(probabilities, labels, average), $"roc_auc_{suffix}");
            Close(c.Expected($"average_precision_{suffix}"), ClassificationMetrics.AveragePrecision(probabilities, labels, average), $"average_precision_{suffix}");
        }
    }

    [Theory]
    [InlineData("binary_with_ties")]
    [InlineData("binary_continuous")]
    public void RocPrAndCalibrationCurvesMatchScikitLearnPointByPoint(string name)
    {
        var c = ClassificationCase(name);
        var (labels, probabilities, _, _) = Inputs(c);
        var scores = ClassificationMetrics.Column(probabilities, 1);
        var positives = labels.Select(l => l == 1).ToArray();

        var roc = ClassificationMetrics.RocCurve(scores, positives);
        Close(c.GetProperty("expected").GetProperty("roc_fpr").Doubles(), roc.FalsePositiveRate, "fpr");
        Close(c.GetProperty("expected").GetProperty("roc_tpr").Doubles(), roc.TruePositiveRate, "tpr");
        Close(c.GetProperty("expected").GetProperty("roc_thresholds").Doubles(), roc.Thresholds.Skip(1).ToArray(), "roc thresholds");
        var pr = ClassificationMetrics.PrecisionRecallCurve(scores, positives);
        Close(c.GetProperty("expected").GetProperty("pr_precision").Doubles(), pr.Precision, "pr precision");
        Close(c.GetProperty("expected").GetProperty("pr_recall").Doubles(), pr.Recall, "pr recall");
        Close(c.GetProperty("expected").GetProperty("pr_thresholds").Doubles(), pr.Thresholds, "pr thresholds");
        var calibration = CalibrationCurve.Positive(scores, positives);
        var nonEmpty = Enumerable.Range(0, calibration.Bins).Where(b => calibration.Count[b] > 0).ToArray();
        Close(c.GetProperty("expected").GetProperty("calibration_observed").Doubles(), nonEmpty.Select(b => calibration.Observed[b]).ToArray(), "calibration observed");
        Close(c.GetProperty("expected").GetProperty("calibration_mean_predicted").Doubles(), nonEmpty.Select(b => calibration.MeanPredicted[b]).ToArray(), "calibration predicted");
    }

    [Fact]
    public void RocAucWithOneClassPresentIsNaNAndTheAccumulatorSaysWhy()
    {
        var c = ClassificationCase("binary_single_class");
        var (labels, probabilities, _, _) = Inputs(c);
        var accumulator = new ClassificationAccumulator();

        accumulator.Update(probabilities, labels);

        Assert.True(double.IsNaN(accumulator.RocAuc()));
        Assert.Equal(1.0, accumulator.AveragePrecision()); // all positive: precision 1 at every threshold
        Assert.Contains(accumulator.Warnings(), w => w.Contains("Only one class", StringComparison.Ordinal));
    }

    [Fact]
    public void AveragePrecisionWithoutAPositiveSampleIsNaN()
    {
        var c = ClassificationCase("binary_no_positive");
        var (labels, probabilities, _, _) = Inputs(c);

        Assert.True(double.IsNaN(ClassificationMetrics.AveragePrecision(probabilities, labels)));
        Assert.True(double.IsNaN(ClassificationMetrics.RocAuc(probabilities, labels)));
    }

    [Fact]
    public void StreamingBatchesGiveTheSameValuesAsTheWholeArray()
    {
        var c = ClassificationCase("multiclass_softmax");
        var (labels, probabilities, predicted, classes) = Inputs(c);
        var accumulator = new ClassificationAccumulator();

        for (var start = 0; start < labels.Length; start += 7)
        {
            var count = Math.Min(7, labels.Length - start);
            var batch = new double[count, classes];
            for (var i = 0; i < count; i++)
                for (var j = 0; j < classes; j++)
                    batch[i, j] = probabilities[start + i, j];
            accumulator.Update(batch, labels[start..(start + count)]);
        }

        Close(c.Expected("accuracy"), accumulator.Accuracy(), "accuracy");
        Close(c.Expected("f1_weighted"), accumulator.Scores().Average(ClassAverage.Weighted).F1, "f1_weighted");
        Close(c.Expected("roc_auc_macro"), accumulator.RocAuc(), "roc_auc_macro");
        Close(c.Expected("log_loss"), accumulator.LogLoss(), "log_loss");
        Close(c.Expected("top_2_accuracy"), accumulator.TopKAccuracy(2), "top_2_accuracy");
        Assert.Equal(predicted, accumulator.Predicted());
    }

    [Fact]
    public void LabelsOutsideTheClassRangeAreRejectedWithWhatWasReceived()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassificationMetrics.ConfusionMatrix([0, 1, 3], [0, 1, 1], classes: 3));

        Assert.Contains("received 3 at position 2", error.Message, StringComparison.Ordinal);
    }
}
