using ModelLoop.Modeling;
using ModelLoop.Modeling.Transformers;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Generation;

public sealed class GptDecoderTests
{
    private const int Vocabulary = 31;

    private static Sequential Tiny(int block = 24)
    {
        torch.manual_seed(3);
        var model = SequenceZoo.Gpt(Vocabulary, block, layers: 2, heads: 2, width: 32);
        model.Network.eval();
        return model;
    }

    [Fact]
    public void Cached_logits_equal_the_full_forward_for_a_prefill_then_single_tokens_then_a_chunk()
    {
        using var model = Tiny();
        var decoder = GptDecoder.For(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = randint(0, Vocabulary, [2, 20], dtype: ScalarType.Int64);
        var full = model.Network.forward(ids);                                    // (2, 20, V)
        using var cache = decoder.CreateCache(2, 20);

        var pieces = new List<Tensor> { decoder.Forward(ids[.., ..7], cache) };    // prefill 7
        for (var t = 7; t < 12; t++)
            pieces.Add(decoder.Forward(ids[.., t..(t + 1)], cache));             // one token at a time
        pieces.Add(decoder.Forward(ids[.., 12..], cache));                        // a chunk after a nonempty cache: explicit mask
        var cached = cat(pieces, 1);

        Assert.Equal(20, cache.Length);
        Assert.True(cached.allclose(full, rtol: 0, atol: 1e-5), $"max difference {(cached - full).abs().max().item<float>()}");
    }

    [Fact]
    public void A_left_padded_row_gets_the_logits_it_gets_alone()
    {
        using var model = Tiny();
        var decoder = GptDecoder.For(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var longRow = randint(0, Vocabulary, [1, 9], dtype: ScalarType.Int64);
        var shortRow = randint(0, Vocabulary, [1, 5], dtype: ScalarType.Int64);
        var next = randint(0, Vocabulary, [2, 1], dtype: ScalarType.Int64);
        var shortAlone = model.Network.forward(cat([shortRow, next[1..2]], 1));  // (1, 6, V)
        var longAlone = model.Network.forward(cat([longRow, next[..1]], 1));     // (1, 10, V)

        using var cache = decoder.CreateCache(2, 10);
        var padded = cat([zeros([1, 4], ScalarType.Int64), shortRow], 1);       // 4 padding slots (any id)
        long[] padding = [0, 4];
        var prefill = decoder.Forward(cat([longRow, padded]), cache, padding);  // (2, 9, V)
        var step = decoder.Forward(next, cache, padding);                        // (2, 1, V)

        Assert.True(prefill[1, 4..].allclose(shortAlone[0, ..5], rtol: 0, atol: 1e-5));
        Assert.True(step[1, 0].allclose(shortAlone[0, 5], rtol: 0, atol: 1e-5));
        Assert.True(step[0, 0].allclose(longAlone[0, 9], rtol: 0, atol: 1e-5));
        Assert.False(prefill.isnan().any().item<bool>());
    }

    [Fact]
    public void Going_past_the_block_size_is_refused_with_the_sizes()
    {
        using var model = Tiny(block: 8);
        var decoder = GptDecoder.For(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var cache = decoder.CreateCache(1, 12);
        decoder.Forward(zeros([1, 8], ScalarType.Int64), cache);

        var error = Assert.Throws<ArgumentException>(() => decoder.Forward(zeros([1, 1], ScalarType.Int64), cache));
        Assert.Contains("block size is 8", error.Message);
        Assert.Equal(8, cache.Length);
    }

    [Fact]
    public void A_model_that_is_not_a_gpt_is_refused()
    {
        using var model = SequenceZoo.LstmClassifier(8, 50, 3);
        var error = Assert.Throws<ArgumentException>(() => GptDecoder.For(model));
        Assert.Contains("SequenceZoo.Gpt", error.Message);
    }
}
