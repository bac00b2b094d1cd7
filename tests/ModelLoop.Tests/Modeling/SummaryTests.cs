using System.Text.RegularExpressions;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;

namespace ModelLoop.Tests.Modeling;

public sealed class SummaryTests
{
    [Fact]
    public void SummaryOfTheSeedKerasCnnListsEachLayerWithItsOutputShapeAndParameterCountAndTotals693962()
    {
        // conv 32·(3·3 + 1) = 320; 26×26 → pool → 13×13; flatten 32·13·13 = 5,408;
        // dense 5,408·128 + 128 = 692,352; dense 128·10 + 10 = 1,290; total 693,962.
        using var model = ModelZoo.KerasCnn(new Shape(1, 28, 28), 10);

        var text = model.Summary(TextWriter.Null);

        AssertRow(text, "conv2d_1 (Conv2D)", "(None, 32, 26, 26)", "320");
        AssertRow(text, "maxpool2d_1 (MaxPool2D)", "(None, 32, 13, 13)", "0");
        AssertRow(text, "flatten_1 (Flatten)", "(None, 5408)", "0");
        AssertRow(text, "dense_1 (Dense)", "(None, 128)", "692,352");
        AssertRow(text, "dense_2 (Dense)", "(None, 10)", "1,290");
        Assert.Contains("Total params: 693,962", text);
        Assert.Contains("Trainable params: 693,962", text);
        Assert.Contains("Non-trainable params: 0", text);
        Assert.Equal(693_962, model.ParameterCount);
        Assert.True(text.IndexOf("conv2d_1", StringComparison.Ordinal) < text.IndexOf("dense_2", StringComparison.Ordinal), "rows are in layer order");
    }

    [Fact]
    public void SummaryOfTheClassicKerasMnistCnnWithTwoConvolutionsTotals1199882()
    {
        // The Keras examples' mnist_cnn: conv 320 + conv 32·64·9 + 64 = 18,496; 24×24 → pool → 12×12;
        // flatten 64·12·12 = 9,216; dense 9,216·128 + 128 = 1,179,776; dense 1,290; total 1,199,882.
        using var model = new Sequential(1, 28, 28)
        {
            new Conv2D(32, 3, Activation.Relu),
            new Conv2D(64, 3, Activation.Relu),
            new MaxPool2D(2),
            new Dropout(0.25),
            new Flatten(),
            new Dense(128, Activation.Relu),
            new Dropout(0.5),
            new Dense(10),
        };

        var text = model.Summary(TextWriter.Null);

        AssertRow(text, "conv2d_2 (Conv2D)", "(None, 64, 24, 24)", "18,496");
        AssertRow(text, "dropout_1 (Dropout)", "(None, 64, 12, 12)", "0");
        AssertRow(text, "dense_1 (Dense)", "(None, 128)", "1,179,776");
        Assert.Contains("Total params: 1,199,882", text);
    }

    [Fact]
    public void SummaryCountsBatchNormStatisticsAsNonTrainableParameters()
    {
        using var model = new Sequential(3, 8, 8) { new Conv2D(4, 3, UseBias: false), new BatchNorm(), new Flatten(), new Dense(2) };

        var text = model.Summary(TextWriter.Null);

        // BatchNorm: weight and bias are trained (8); running mean and variance are not (8).
        AssertRow(text, "batchnorm_1 (BatchNorm)", "(None, 4, 6, 6)", "16");
        Assert.Contains($"Total params: {108 + 16 + 144 * 2 + 2:N0}", text);
        Assert.Contains("Non-trainable params: 8", text);
    }

    [Fact]
    public void SummaryOfASequenceModelShowsTimeAndFeatureDimensions()
    {
        using var model = SequenceZoo.TransformerClassifier(12, vocabularySize: 20, classes: 3, dimensions: 16, heads: 4, blocks: 1);

        var text = model.Summary(TextWriter.Null);

        Assert.Contains("(None, 12)", text); // the input row: token ids
        AssertRow(text, "embedding_1 (Embedding)", "(None, 12, 16)", "320");
        AssertRow(text, "transformerencoderblock_1 (TransformerEncoderBlock)", "(None, 12, 16)", "3,280");
        AssertRow(text, "sequencemeanpool_1 (SequenceMeanPool)", "(None, 16)", "0");
        AssertRow(text, "dense_1 (Dense)", "(None, 3)", "51");
    }

    private static void AssertRow(string summary, string layer, string shape, string parameters) =>
        Assert.Matches(new Regex($@"(?m)^{Regex.Escape(layer)}\s+{Regex.Escape(shape)}\s+{Regex.Escape(parameters)}\s*$"), summary);
}
