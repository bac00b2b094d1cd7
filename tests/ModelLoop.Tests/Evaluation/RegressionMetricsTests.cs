using ModelLoop.Evaluation;
using static ModelLoop.Tests.Evaluation.SklearnFixtures;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Evaluation;

public sealed class RegressionMetricsTests
{
    [Theory]
    [MemberData(nameof(RegressionNames), MemberType = typeof(SklearnFixtures))]
    public void EveryRegressionMetricMatchesScikitLearn(string name)
    {
        var c = RegressionCase(name);
        var (t, p) = (c.GetProperty("targets").Doubles(), c.GetProperty("predicted").Doubles());

        Close(c.Expected("mse"), RegressionMetrics.MeanSquaredError(t, p), "mse");
        Close(c.Expected("rmse"), RegressionMetrics.RootMeanSquaredError(t, p), "rmse");
        Close(c.Expected("mae"), RegressionMetrics.MeanAbsoluteError(t, p), "mae");
        Close(c.Expected("r2"), RegressionMetrics.R2(t, p), "r2");
        var mape = c.Expected("mape");
        Assert.True(Math.Abs(mape - RegressionMetrics.MeanAbsolutePercentageError(t, p)) <= Tolerance * Math.Max(1, Math.Abs(mape)), "mape (relative, it is huge for a zero target)");
    }

    [Fact]
    public void TensorBatchesAccumulateToTheWholeArrayValues()
    {
        var c = RegressionCase("regression");
        var (t, p) = (c.GetProperty("targets").Doubles(), c.GetProperty("predicted").Doubles());
        var accumulator = new RegressionAccumulator();

        for (var start = 0; start < t.Length; start += 16)
        {
            var count = Math.Min(16, t.Length - start);
            using var output = tensor(p[start..(start + count)].Select(v => (float)v).ToArray(), [count, 1]);
            using var target = tensor(t[start..(start + count)], [count, 1]);
            accumulator.Update(output, target);
        }

        // float32 outputs: agreement to float precision of values around 150.
        Assert.Equal(c.Expected("r2"), accumulator.R2, 4);
        Assert.Equal(c.Expected("mae"), accumulator.MeanAbsoluteError, 3);
        Assert.Equal(50, accumulator.Count);
    }
}
