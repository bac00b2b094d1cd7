using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Optimization.Reports;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Tests.Reports;

public sealed class VariantBenchmarkTests
{
    /// <summary>Always answers class 0, whatever the input: the variant that must come out worse.</summary>
    private sealed class ConstantPredictor(int classes) : IVariantPredictor
    {
        public Tensor Predict(Tensor inputs)
        {
            var logits = zeros(inputs.shape[0], classes);
            logits[TensorIndex.Colon, 0] = tensor(5f);
            return logits;
        }

        public void Dispose() { }
    }

    private static (Tensor Inputs, Tensor Labels) Separable(int rows)
    {
        random.manual_seed(3);
        var x = randn(rows, 2);
        var labels = (x[TensorIndex.Colon, 0] > 0).to(ScalarType.Int64);
        return (x, labels);
    }

    private static Sequential Perfect()
    {
        var model = new Sequential(2) { new Dense(2) };
        using (no_grad())
        {
            // logit1 − logit0 = 20·x0: class 1 exactly when x0 > 0
            var weight = model.Network.named_parameters().Single(p => p.name.EndsWith("weight")).parameter;
            var bias = model.Network.named_parameters().Single(p => p.name.EndsWith("bias")).parameter;
            weight.copy_(tensor(new float[] { -10, 0, 10, 0 }).reshape(2, 2));
            bias.zero_();
        }
        return model;
    }

    [Fact]
    public void A_variant_that_answers_one_class_scores_lower_and_is_judged_worse_than_the_baseline()
    {
        var (x, y) = Separable(400);
        using var model = Perfect();
        using var baseline = new ModelVariantPredictor(model);
        using var broken = new ConstantPredictor(2);
        var options = new VariantBenchmarkOptions { LatencyCalls = 3, WarmupCalls = 1, ThroughputBatch = 64, ThroughputBatches = 1, MinThroughputSeconds = 0, Rounds = 1 };
        var measured = VariantBenchmark.Measure(
            [new VariantCandidate { Name = "baseline", Method = "fp32", Predictor = baseline, Runtime = "torchsharp" },
             new VariantCandidate { Name = "broken", Method = "class 0", Predictor = broken, Runtime = "test" }], x, y, options);

        Assert.Equal(1.0, measured[0].Accuracy!.Value, 6);
        var expected = (y == 0).sum().item<long>() / 400.0;
        Assert.Equal(expected, measured[1].Accuracy!.Value, 6);
        Assert.Null(measured[0].VerdictVersusBaseline);
        Assert.Equal("Worse", measured[1].VerdictVersusBaseline);
        Assert.All(measured, m => Assert.True(m.Batch1LatencyMs > 0 && m.ThroughputPerSecond > 0));
        Assert.Equal(400, measured[1].TestRows);
    }

    [Fact]
    public void The_same_model_twice_is_not_significantly_different_from_itself()
    {
        var (x, y) = Separable(200);
        using var model = Perfect();
        using var a = new ModelVariantPredictor(model);
        var options = new VariantBenchmarkOptions { LatencyCalls = 2, WarmupCalls = 0, ThroughputBatch = 32, ThroughputBatches = 1, MinThroughputSeconds = 0, Rounds = 1 };
        var measured = VariantBenchmark.Measure(
            [new VariantCandidate { Name = "a", Method = "fp32", Predictor = a, Runtime = "torchsharp" },
             new VariantCandidate { Name = "b", Method = "fp32", Predictor = a, Runtime = "torchsharp" }], x, y, options);
        Assert.Equal("NotSignificantlyDifferent", measured[1].VerdictVersusBaseline);
        Assert.Equal(measured[0].Accuracy, measured[1].Accuracy);
    }

    [Fact]
    public void Labels_that_do_not_match_the_inputs_are_refused_with_both_counts()
    {
        using var model = Perfect();
        using var a = new ModelVariantPredictor(model);
        var e = Assert.Throws<ArgumentException>(() => VariantBenchmark.Measure(
            [new VariantCandidate { Name = "a", Method = "fp32", Predictor = a, Runtime = "torchsharp" }], randn(10, 2), zeros(9, ScalarType.Int64)));
        Assert.Contains("10 inputs and 9 labels", e.Message);
    }
}
