using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training;

public sealed class MetricTests
{
    [Fact]
    public void AccuracyCountsArgMaxHitsOverAllBatches()
    {
        var metric = new MetricSpec("accuracy").Create();
        metric.Reset();
        // argmax 0, 1, 2, 1 against 0, 1, 1, 1: 3 of 4.
        using (var logits = tensor(new float[] { 2, 1, 0, 0, 3, 1, 1, 0, 2, 0, 1, 0.5f }, [4, 3]))
        using (var labels = tensor(new long[] { 0, 1, 1, 1 }))
            metric.Update(logits, labels);
        // argmax 0, 2 against 1, 2: 1 of 2.
        using (var logits = tensor(new float[] { 5, 0, 0, 0, 0, 1 }, [2, 3]))
        using (var labels = tensor(new long[] { 1, 2 }))
            metric.Update(logits, labels);

        Assert.Equal("accuracy", metric.Name);
        Assert.Equal(4.0 / 6, metric.Result(), 12);
    }

    [Fact]
    public void AccuracyOfOneOutputThresholdsItAtOneHalf()
    {
        var metric = new MetricSpec("acc").Create();
        metric.Reset();
        using var probabilities = tensor(new float[] { 0.7f, 0.2f, 0.6f }, [3, 1]);
        using var labels = tensor(new float[] { 1, 0, 0 });

        metric.Update(probabilities, labels);

        Assert.Equal(2.0 / 3, metric.Result(), 12);
    }

    [Fact]
    public void BinaryAccuracyThresholdsProbabilitiesStrictlyAboveOneHalf()
    {
        var metric = new MetricSpec("binary_accuracy").Create();
        metric.Reset();
        // predicted 1, 0, 0 (0.5 is not above 0.5), 1 against 1, 0, 1, 0: 2 of 4.
        using var probabilities = tensor(new float[] { 0.7f, 0.4f, 0.5f, 0.9f }, [4, 1]);
        using var labels = tensor(new long[] { 1, 0, 1, 0 });

        metric.Update(probabilities, labels);

        Assert.Equal("binary_accuracy", metric.Name);
        Assert.Equal(0.5, metric.Result(), 12);
    }

    [Theory]
    [InlineData("mae", 0.875)]    // (0.5 + 0 + 2 + 1) / 4
    [InlineData("mse", 1.3125)]   // (0.25 + 0 + 4 + 1) / 4
    public void MeanErrorsAverageOverEveryTargetValueOfEveryBatch(string name, double expected)
    {
        var metric = new MetricSpec(name).Create();
        metric.Reset();
        using (var output = tensor(new float[] { 1, 2, 3 }, [3, 1]))
        using (var target = tensor(new float[] { 1.5f, 2, 1 }))
            metric.Update(output, target);
        using (var output = tensor(new float[] { 0 }, [1, 1]))
        using (var target = tensor(new float[] { -1 }))
            metric.Update(output, target);

        Assert.Equal(name, metric.Name);
        Assert.Equal(expected, metric.Result(), 12);
    }

    [Fact]
    public void ResetStartsTheCountOver()
    {
        var metric = new MetricSpec("mae").Create();
        metric.Reset();
        using (var output = tensor(new float[] { 10 }, [1, 1]))
        using (var target = tensor(new float[] { 0 }))
            metric.Update(output, target);

        metric.Reset();

        Assert.True(double.IsNaN(metric.Result()), "a metric with no samples has no value");
        using (var output = tensor(new float[] { 1 }, [1, 1]))
        using (var target = tensor(new float[] { 0 }))
            metric.Update(output, target);
        Assert.Equal(1.0, metric.Result(), 12);
    }

    [Fact]
    public void AnUnknownMetricNameListsTheKnownNames()
    {
        var error = Assert.Throws<ArgumentException>(() => new MetricSpec("f2_score").Create());

        Assert.Contains("'f2_score'", error.Message);
        Assert.Contains("accuracy, binary_accuracy, mae, mse", error.Message);
    }
}
