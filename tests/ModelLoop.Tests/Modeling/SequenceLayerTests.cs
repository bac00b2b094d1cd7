using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class SequenceLayerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LstmWithoutReturnSequencesGivesTheLastStepForwardAndTheFirstStepBackward(bool bidirectional)
    {
        using var scope = NewDisposeScope();
        using var last = new Sequential(5, 4) { new Lstm(6, Bidirectional: bidirectional) };
        using var sequences = new Sequential(5, 4) { new Lstm(6, ReturnSequences: true, Bidirectional: bidirectional) };
        CopyWeights(last, sequences);
        var x = randn(3, 5, 4);

        var final = last.Predict(x);  // (3, 6·dirs)
        var all = sequences.Predict(x); // (3, 5, 6·dirs)

        // The forward direction has read the whole sequence at the last step; the backward one at the first.
        var expected = bidirectional
            ? cat([all[.., -1, ..6], all[.., 0, 6..]], 1)
            : all[.., -1, ..];
        Assert.Equal(bidirectional ? 12 : 6, final.shape[1]);
        Assert.True(final.allclose(expected, rtol: 0, atol: 1e-6), "the final state differs from the matching steps of the sequence output");
    }

    [Fact]
    public void GruWithoutReturnSequencesGivesTheLastStepOfItsSequenceOutput()
    {
        using var scope = NewDisposeScope();
        using var last = new Sequential(5, 4) { new Gru(6, NumLayers: 2) };
        using var sequences = new Sequential(5, 4) { new Gru(6, ReturnSequences: true, NumLayers: 2) };
        CopyWeights(last, sequences);
        var x = randn(3, 5, 4);

        Assert.True(last.Predict(x).allclose(sequences.Predict(x)[.., -1, ..], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void MultiHeadAttentionComputesSoftmaxOfScaledQueryKeyProductsTimesValuesPerHead()
    {
        using var scope = NewDisposeScope();
        const int time = 5, features = 8, heads = 2, headDim = features / heads;
        using var model = new Sequential(time, features) { new MultiHeadAttention(heads) };
        var x = randn(2, time, features);
        var p = model.Network.named_parameters().ToDictionary(n => n.name, n => (Tensor)n.parameter);

        var actual = model.Predict(x);

        // By hand: fused projection, split into Q, K, V and heads, softmax(QKᵀ/√d)V, merge heads, project.
        var qkv = x.matmul(p["multiheadattention_1.qkv.weight"].t()) + p["multiheadattention_1.qkv.bias"]; // (B, T, 3D)
        Tensor Heads(int i) => qkv[.., .., (i * features)..((i + 1) * features)].reshape(2, time, heads, headDim).transpose(1, 2); // (B, heads, T, headDim)
        var scores = Heads(0).matmul(Heads(1).transpose(-2, -1)) / Math.Sqrt(headDim); // (B, heads, T, T)
        var merged = scores.softmax(-1).matmul(Heads(2)).transpose(1, 2).reshape(2, time, features);
        var expected = merged.matmul(p["multiheadattention_1.projection.weight"].t()) + p["multiheadattention_1.projection.bias"];
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), "attention output differs from softmax(QKᵀ/√d)V");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CausalAttentionOutputsDoNotDependOnLaterStepsButNonCausalOnesDo(bool causal)
    {
        using var scope = NewDisposeScope();
        using var model = new Sequential(6, 8) { new TransformerEncoderBlock(2, 16, Dropout: 0, Causal: causal) };
        var x = randn(1, 6, 8);
        var changed = x.clone();
        changed[0, 5] = randn(8);

        var before = model.Predict(x);
        var after = model.Predict(changed);

        var earlierUnchanged = before[.., ..5].allclose(after[.., ..5], rtol: 0, atol: 1e-6);
        Assert.Equal(causal, earlierUnchanged);
    }

    [Fact]
    public void EmbeddingGivesEachTokenIdItsOwnRowOfTheWeightTable()
    {
        using var scope = NewDisposeScope();
        using var model = new Sequential(new Shape(4), InputKind.TokenIds) { new Embedding(10, 3) };
        var ids = tensor(new long[] { 7, 0, 7, 9 }).reshape(1, 4);

        var vectors = model.Predict(ids); // (1, 4, 3)

        var table = model.Network.parameters().Single();
        Assert.True(vectors[0].eq(table.index_select(0, ids[0])).all().item<bool>());
        Assert.True(vectors[0, 0].eq(vectors[0, 2]).all().item<bool>());
    }

    [Fact]
    public void LayerNormGivesEachTimeStepZeroMeanAndUnitVarianceOverItsFeatures()
    {
        using var scope = NewDisposeScope();
        using var model = new Sequential(3, 64) { new LayerNorm() };
        var x = randn(2, 3, 64) * 5 + 3;

        var y = model.Predict(x);

        Assert.True(y.mean([-1L]).abs().max().item<float>() < 1e-5);
        Assert.True((y.var(-1, unbiased: false) - 1).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void SequenceMeanPoolAveragesOverTime()
    {
        using var scope = NewDisposeScope();
        using var model = new Sequential(4, 3) { new SequenceMeanPool() };
        var x = randn(2, 4, 3);

        Assert.True(model.Predict(x).allclose(x.mean([1L]), rtol: 0, atol: 1e-6));
    }

    /// <summary>Gives <paramref name="to"/> the weights of <paramref name="from"/> (same layer names and parameter shapes).</summary>
    private static void CopyWeights(Sequential from, Sequential to)
    {
        using var folder = new TempFolder();
        from.SaveWeights(folder.File("weights.bin"));
        to.LoadWeights(folder.File("weights.bin"));
    }
}
