using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class InputKindTests
{
    [Fact]
    public void AFloatModelThatStartsWithAnEmbeddingIsRejectedWhenBuilt()
    {
        using var model = new Sequential(new Shape(8)) { new Embedding(20, 4), new Flatten(), new Dense(2) };

        var error = Assert.Throws<ModelBuildException>(() => model.Network);

        Assert.Contains("Embedding", error.Message);
        Assert.Contains("InputKind.TokenIds", error.Message);
    }

    [Fact]
    public void ATokenIdModelWithoutAnEmbeddingIsRejectedWhenBuilt()
    {
        using var model = new Sequential(new Shape(8), InputKind.TokenIds) { new Dense(2) };

        var error = Assert.Throws<ModelBuildException>(() => model.Network);

        Assert.Contains("TokenIds", error.Message);
        Assert.Contains("Dense", error.Message);
    }

    [Fact]
    public void PredictRejectsFloatInputsForATokenIdModel()
    {
        using var model = new Sequential(new Shape(8), InputKind.TokenIds) { new Embedding(20, 4), new Flatten(), new Dense(2) };
        using var floats = zeros(3, 8);

        var error = Assert.Throws<ArgumentException>(() => model.Predict(floats));

        Assert.Contains("Int64", error.Message);
        Assert.Contains("Float32", error.Message);
    }
}
