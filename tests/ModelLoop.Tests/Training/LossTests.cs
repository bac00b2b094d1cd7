using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Training;

public sealed class LossTests
{
    private static readonly double[][] Logits = [[2, 1, 0], [0, 0, 3], [-1, 0.5, 0.25]];
    private static readonly long[] Classes = [0, 2, 1];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void CrossEntropyWithLabelSmoothingMatchesTheHandComputedValue(double smoothing)
    {
        // Smoothed target q = (1 − ε)·onehot(y) + ε/K, loss = −Σ q·log softmax(z), averaged over samples.
        var expected = Logits.Zip(Classes, (z, y) =>
        {
            var logSum = Math.Log(z.Sum(Math.Exp));
            var negLogP = z.Select(v => logSum - v).ToArray();
            return (1 - smoothing) * negLogP[y] + smoothing * negLogP.Average();
        }).Average();
        using var output = tensor(Logits.SelectMany(r => r).Select(v => (float)v).ToArray(), [3, 3]);
        using var target = tensor(Classes);

        using var loss = Loss.CrossEntropy(smoothing).Compute(output, target);

        Assert.Equal(0, loss.dim());
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void CrossEntropyOverASequenceOutputIsTheMeanOverEveryPosition()
    {
        // Logits (B = 1, T = 3, classes 3) with labels (1, 3): a language model's next-token loss.
        var expected = Logits.Zip(Classes, (z, y) => Math.Log(z.Sum(Math.Exp)) - z[y]).Average();
        using var output = tensor(Logits.SelectMany(r => r).Select(v => (float)v).ToArray(), [1, 3, 3]);
        using var target = tensor(Classes, [1, 3]);

        using var loss = Loss.CrossEntropy().Compute(output, target);

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void SequenceLabelsOfAnotherLengthThanTheOutputAreRefusedBeforeTraining()
    {
        using var data = new ModelLoop.Data.TensorDataset(zeros([4, 5], ScalarType.Int64), zeros([4, 6], ScalarType.Int64));

        var error = Assert.Throws<ArgumentException>(() => Loss.CrossEntropy().Validate(new ModelLoop.Modeling.Shape(5, 7), data));

        Assert.Contains("(samples, 5)", error.Message);
    }

    [Fact]
    public void BinaryCrossEntropyFromProbabilitiesMatchesTheHandComputedValue()
    {
        double[] p = [0.9, 0.2, 0.6, 0.5];
        double[] y = [1, 0, 0, 1];
        var expected = -p.Zip(y, (pi, yi) => yi * Math.Log(pi) + (1 - yi) * Math.Log(1 - pi)).Average();
        using var output = tensor(p.Select(v => (float)v).ToArray(), [4, 1]);
        using var labels = tensor(y.Select(v => (long)v).ToArray()); // class labels as int64, one per sample

        using var loss = Loss.BinaryCrossEntropy().Compute(output, labels);

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void BinaryCrossEntropyFromLogitsMatchesTheHandComputedValue()
    {
        double[] z = [2, -1, 0.5, 0];
        double[] y = [1, 0, 0, 1];
        var expected = -z.Zip(y, (zi, yi) =>
        {
            var p = 1 / (1 + Math.Exp(-zi));
            return yi * Math.Log(p) + (1 - yi) * Math.Log(1 - p);
        }).Average();
        using var output = tensor(z.Select(v => (float)v).ToArray(), [4, 1]);
        using var labels = tensor(y.Select(v => (float)v).ToArray());

        using var loss = Loss.BinaryCrossEntropy(fromLogits: true).Compute(output, labels);

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void BinaryCrossEntropyOfCertainWrongProbabilitiesIsLargeButFinite()
    {
        using var output = tensor(new float[] { 1, 0 }, [2, 1]);
        using var labels = tensor(new float[] { 0, 1 });

        using var loss = Loss.BinaryCrossEntropy().Compute(output, labels);

        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.True(loss.item<float>() > 15, $"−log(1e−7) ≈ 16; got {loss.item<float>()}");
    }

    [Fact]
    public void MeanSquaredErrorMatchesTheHandComputedValue()
    {
        using var output = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var target = tensor(new float[] { 1.5f, 2, 2, 5 }, [2, 2]);

        using var loss = Loss.MeanSquaredError().Compute(output, target);

        Assert.Equal((0.25 + 0 + 1 + 1) / 4, loss.item<float>(), 6);
    }

    [Fact]
    public void MeanSquaredErrorReshapesOneTargetPerSampleToTheOutput()
    {
        using var output = tensor(new float[] { 1, 2, 3 }, [3, 1]);
        using var target = tensor(new float[] { 0, 2, 5 });

        using var loss = Loss.MeanSquaredError().Compute(output, target);

        Assert.Equal((1 + 0 + 4) / 3.0, loss.item<float>(), 6);
    }

    [Theory]
    [InlineData("cross_entropy", typeof(CrossEntropyLoss))]
    [InlineData("sparse_categorical_crossentropy", typeof(CrossEntropyLoss))]
    [InlineData("BCE", typeof(BinaryCrossEntropyLoss))]
    [InlineData("binary-crossentropy", typeof(BinaryCrossEntropyLoss))]
    [InlineData("mse", typeof(MeanSquaredErrorLoss))]
    public void LossesAreFoundByName(string name, Type expected)
    {
        Loss loss = name;

        Assert.IsType(expected, loss);
    }

    [Fact]
    public void AnUnknownLossNameListsTheKnownNames()
    {
        var error = Assert.Throws<ArgumentException>(() => Loss.Parse("hinge"));

        Assert.Contains("'hinge'", error.Message);
        Assert.Contains("cross_entropy, binary_cross_entropy, mse", error.Message);
    }
}
