using Microsoft.ML.OnnxRuntime.Tensors;
using ModelLoop.Optimization.Quantization;

namespace ModelLoop.Optimization.Tests.Quantization;

public sealed class ActivationCalibratorTests
{
    [Fact]
    public void Min_max_calibration_ranges_equal_the_true_extremes_of_every_intermediate_tensor()
    {
        // x (N, 8) → Gemm(W (6, 8), b) → h → Relu → r; the true values computed here by hand.
        var random = new Random(81);
        var w = TestGraphs.RandomWeights(random, 6, 8);
        var model = TestGraphs.Mlp(new Random(82), inputs: 8, hidden: 6);
        var weight = GraphEdits.ReadFloats(model.Graph.Initializer.Single(i => i.Name == "fc1.weight"));
        var bias = GraphEdits.ReadFloats(model.Graph.Initializer.Single(i => i.Name == "fc1.bias"));
        var batches = Enumerable.Range(0, 3).Select(_ => TestGraphs.Batch(Enumerable.Range(0, 20).Select(_ => w.Take(8).Select(v => v * random.NextSingle() * 4).ToArray()).ToList(), [8])).ToList();

        var hidden = batches.SelectMany(b => Rows(b, 8)).SelectMany(x => Enumerable.Range(0, 6).Select(j => bias[j] + Enumerable.Range(0, 8).Sum(k => weight[j * 8 + k] * x[k]))).ToArray();
        var inputs = batches.SelectMany(b => b.Buffer.ToArray()).ToArray();
        var ranges = ActivationCalibrator.Collect(model, batches, CalibrationMethod.MinMax, 100);

        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm").Output[0];
        var relu = model.Graph.Node.Single(n => n.OpType == "Relu").Output[0];
        AssertRange(inputs.Min(), inputs.Max(), ranges["x"]);
        AssertRange(hidden.Min(), hidden.Max(), ranges[gemm]);
        AssertRange(Math.Max(0, hidden.Min()), Math.Max(0, hidden.Max()), ranges[relu]);
    }

    [Fact]
    public void Percentile_calibration_ignores_a_rare_outlier_that_min_max_follows()
    {
        var model = TestGraphs.Mlp(new Random(91), inputs: 4, hidden: 3);
        var random = new Random(92);
        var values = Enumerable.Range(0, 4 * 5000).Select(_ => random.NextSingle()).ToArray();
        values[17] = 1000f;
        var batches = new[] { new DenseTensor<float>(values, [5000, 4]) };

        var minMax = ActivationCalibrator.Collect(model, batches, CalibrationMethod.MinMax, 100)["x"];
        var percentile = ActivationCalibrator.Collect(model, batches, CalibrationMethod.Percentile, 99.9)["x"];
        Assert.Equal(1000f, minMax.Max);
        Assert.InRange(percentile.Max, 0.9f, 1.5f);
        Assert.InRange(percentile.Min, -0.3f, 0.1f);
    }

    [Fact]
    public void A_uint8_range_includes_zero_and_maps_zero_exactly()
    {
        var (scale, zero) = new ActivationRange(-1.5f, 4.5f).ToUInt8();
        Assert.Equal(6f / 255, scale, 1e-7f);
        Assert.Equal(0f, (zero - MathF.Round(1.5f / scale)), 0f);
        var (reluScale, reluZero) = new ActivationRange(0.2f, 3f).ToUInt8();
        Assert.Equal(0, reluZero);
        Assert.Equal(3f / 255, reluScale, 1e-7f);
    }

    private static void AssertRange(float min, float max, ActivationRange range)
    {
        var tolerance = 1e-4f * Math.Max(1f, max - min);
        Assert.InRange(range.Min, min - tolerance, min + tolerance);
        Assert.InRange(range.Max, max - tolerance, max + tolerance);
    }

    private static IEnumerable<float[]> Rows(DenseTensor<float> batch, int width)
    {
        var data = batch.Buffer.ToArray();
        for (var i = 0; i < data.Length; i += width)
            yield return data[i..(i + width)];
    }
}
