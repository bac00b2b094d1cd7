using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;

namespace ModelLoop.Tests.Modeling;

public sealed class ShapeErrorTests
{
    [Fact]
    public void Conv2DOnAFlatInputReportsTheLayerAndTheReceivedShapeAndSuggestsAReshape()
    {
        using var model = new Sequential(784) { new Conv2D(32, 3) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("conv2d_1", error.Message);
        Assert.Contains("(784)", error.Message);
        Assert.Contains("Reshape", error.Message);
    }

    [Fact]
    public void GroupNormOnVectorsReportsTheReceivedShapeAndSuggestsLayerNorm()
    {
        using var model = new Sequential(6) { new GroupNorm(3) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("(6)", error.Message);
        Assert.Contains("LayerNorm", error.Message);
    }

    [Fact]
    public void MaxPoolOnAOneByOneImageReportsTheLayerAndTheReceivedShape()
    {
        using var model = new Sequential(1, 1, 1) { new MaxPool2D(2) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("maxpool2d_1", error.Message);
        Assert.Contains("(1, 1, 1)", error.Message);
    }

    [Fact]
    public void Conv2DAfterADenseReportsTheConvolutionAndTheDenseOutputShape()
    {
        using var model = new Sequential(784) { new Dense(10), new Conv2D(4, 3) };

        var error = Assert.Throws<ModelBuildException>(() => model.Summary(TextWriter.Null));

        Assert.Contains("conv2d_1", error.Message);
        Assert.Contains("(10)", error.Message);
    }

    [Fact]
    public void ReshapeWithTheWrongElementCountReportsTheLayerTheReceivedShapeAndBothCounts()
    {
        using var model = new Sequential(784) { new Reshape([1, 28, 27]) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("reshape_1", error.Message);
        Assert.Contains("(784)", error.Message);
        Assert.Contains("756", error.Message);
    }

    [Fact]
    public void MultiHeadAttentionWithFeaturesNotDivisibleByHeadsReportsTheLayerTheReceivedShapeAndHeads()
    {
        using var model = new Sequential(5, 10) { new MultiHeadAttention(4) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("multiheadattention_1", error.Message);
        Assert.Contains("(5, 10)", error.Message);
        Assert.Contains("Heads=4", error.Message);
    }

    [Fact]
    public void TransformerEncoderBlockWithFeaturesNotDivisibleByHeadsNamesItselfNotTheAttentionInside()
    {
        using var model = new Sequential(5, 10) { new TransformerEncoderBlock(3, 40) { Name = "encoder" } };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("'encoder' (TransformerEncoderBlock)", error.Message);
        Assert.Contains("(5, 10)", error.Message);
    }

    [Fact]
    public void AGivenLayerNameAppearsInTheErrorInsteadOfTheAutomaticOne()
    {
        using var model = new Sequential(784) { new Conv2D(8, 3) { Name = "features" } };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("'features'", error.Message);
    }

    [Fact]
    public void LstmOnAFlatInputReportsTheLayerAndSuggestsAnEmbeddingOrReshape()
    {
        using var model = new Sequential(784) { new Lstm(16) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("lstm_1", error.Message);
        Assert.Contains("(784)", error.Message);
        Assert.Contains("Embedding", error.Message);
    }

    [Fact]
    public void GruWithDropoutButOneLayerSaysTheDropoutWouldHaveNoEffect()
    {
        using var model = new Sequential(5, 4) { new Gru(8, Dropout: 0.3) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("gru_1", error.Message);
        Assert.Contains("NumLayers=1", error.Message);
    }

    [Fact]
    public void EmbeddingOnAnImageReportsTheLayerAndTheReceivedShape()
    {
        using var model = new Sequential(new Shape(1, 28, 28), InputKind.TokenIds) { new Embedding(100, 8) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("embedding_1", error.Message);
        Assert.Contains("(1, 28, 28)", error.Message);
    }

    [Fact]
    public void SequenceMeanPoolOnAVectorReportsTheLayerAndTheReceivedShape()
    {
        using var model = new Sequential(16) { new SequenceMeanPool() };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("sequencemeanpool_1", error.Message);
        Assert.Contains("(16)", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void LayerNormWithANonPositiveEpsilonReportsTheReceivedValue(double epsilon)
    {
        using var model = new Sequential(4, 8) { new LayerNorm(epsilon) };

        var error = Assert.Throws<ModelBuildException>(() => model.OutputShape);

        Assert.Contains("layernorm_1", error.Message);
        Assert.Contains($"Epsilon={epsilon}", error.Message);
    }
}
