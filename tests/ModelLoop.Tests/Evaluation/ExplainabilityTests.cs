using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Evaluation;

public sealed class ExplainabilityTests
{
    /// <summary>Dense(outputs) without activation, weight set to <paramref name="weight"/> (outputs, inputs) and zero bias.</summary>
    private static Sequential Linear(float[,] weight)
    {
        var model = new Sequential(weight.GetLength(1)) { new Dense(weight.GetLength(0)) };
        using var _ = no_grad();
        foreach (var parameter in model.Network.parameters())
        {
            if (parameter.dim() == 2)
                parameter.copy_(tensor(weight));
            else
                parameter.zero_();
        }
        return model;
    }

    [Fact]
    public void SaliencyOfALinearModelIsTheAbsoluteWeightRowOfTheTargetClass()
    {
        using var model = Linear(new float[,] { { 1, -2, 0, 3 }, { -1, 0.5f, 2, 0 } });
        using var inputs = randn(3, 4);

        using var saliency = Attribution.Saliency(model, inputs, [0, 1, 0]);

        Assert.Equal(new float[] { 1, 2, 0, 3 }, saliency[0].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 0.5f, 2, 0 }, saliency[1].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 2, 0, 3 }, saliency[2].data<float>().ToArray());
    }

    [Fact]
    public void IntegratedGradientsOfALinearModelAreInputTimesWeight()
    {
        using var model = Linear(new float[,] { { 1, -2, 0, 3 }, { -1, 0.5f, 2, 0 } });
        using var inputs = tensor(new float[] { 1, 2, 3, 4, -1, 0, 1, 2 }, [2, 4]);

        using var attributions = Attribution.IntegratedGradients(model, inputs, [0, 1], steps: 4);

        Assert.Equal(new float[] { 1, -4, 0, 12 }, attributions[0].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 0, 2, 0 }, attributions[1].data<float>().ToArray());
    }

    [Fact]
    public void IntegratedGradientsOfAnImageClassifierSumToTheChangeOfItsClassScore()
    {
        using var train = EvaluationFixtures.Quadrants(200);
        var model = new Sequential(1, 8, 8) { new Conv2D(32, 3, Activation.Relu), new Flatten(), new Dense(3) };
        TrainingFixtures.BuildSeeded(model, 2);
        using var _ = model;
        using var inputs = train.Features.narrow(0, 0, 4);
        long[] targets = [0, 1, 2, 1];

        using var attributions = Attribution.IntegratedGradients(model, inputs, targets, steps: 64);

        using var output = model.Predict(inputs);
        using var atBaseline = model.Predict(zeros_like(inputs));
        for (var i = 0; i < 4; i++)
        {
            var change = output[i, targets[i]].item<float>() - atBaseline[i, targets[i]].item<float>();
            var total = attributions[i].sum().item<float>();
            Assert.True(Math.Abs(total - change) <= 0.02 * Math.Max(1, Math.Abs(change)), $"sample {i}: attributions sum to {total}, the score changed by {change}");
        }
        Assert.Equal(inputs.shape, attributions.shape);
    }

    [Fact]
    public void PermutingAFeatureTheModelIgnoresCostsNothingAndTheHeaviestFeatureRanksFirst()
    {
        using var model = Linear(new float[,] { { 2, 0, 1 } });
        using var generator = new Generator().manual_seed(4);
        var x = randn([200, 3], generator: generator);
        using var data = new TensorDataset(x, x.matmul(tensor(new float[] { 2, 0, 1 })).unsqueeze(1));

        var importance = PermutationImportance.Compute(model, data, ["a", "b", "c"], repeats: 3, seed: 1);

        Assert.Equal(["a", "c", "b"], importance.Select(i => i.Name));
        Assert.All(importance.Single(i => i.Name == "b").Drops, d => Assert.Equal(0, d, 12));
        Assert.True(importance[0].Mean > importance[1].Mean && importance[1].Mean > 0.1, $"drops {importance[0].Mean}, {importance[1].Mean}");
        Assert.Equal(importance.Select(i => i.Mean), PermutationImportance.Compute(model, data, ["a", "b", "c"], repeats: 3, seed: 1).Select(i => i.Mean));
    }

    [Fact]
    public void PermutationImportanceRejectsImagesAndPointsToIntegratedGradients()
    {
        using var data = EvaluationFixtures.Quadrants(10);
        using var model = new Sequential(1, 8, 8) { new Flatten(), new Dense(3) };

        var error = Assert.Throws<ArgumentException>(() => PermutationImportance.Compute(model, data));

        Assert.Contains("IntegratedGradients", error.Message, StringComparison.Ordinal);
    }
}
