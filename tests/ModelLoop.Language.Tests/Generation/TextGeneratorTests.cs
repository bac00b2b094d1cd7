using ModelLoop.Language.Generation;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using TorchSharp;

namespace ModelLoop.Language.Tests.Generation;

public sealed class TextGeneratorTests
{
    private static readonly CharTokenizer Characters = CharTokenizer.FromCorpus(["the quick brown fox jumps over a lazy dog. THE END!"]);

    private static readonly string[] Prompts = ["the fox", "a", "lazy dog jumps over", "THE END"];

    private static Sequential Tiny(int seed = 5, int block = 48)
    {
        torch.manual_seed(seed);
        return SequenceZoo.Gpt(Characters.VocabularySize, block, layers: 2, heads: 2, width: 32);
    }

    private static readonly GenerationOptions Greedy = new() { Temperature = 0, MaxNewTokens = 20, StopAtEndOfText = false };

    [Fact]
    public void Greedy_text_is_the_same_with_and_without_the_cache_one_by_one_and_batched()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);

        var cachedBatch = generator.Generate(Prompts, Greedy);
        var recomputedBatch = generator.Generate(Prompts, Greedy with { UseCache = false });
        foreach (var (prompt, row) in Prompts.Select((p, i) => (p, i)))
        {
            var cached = generator.Generate(prompt, Greedy);
            var recomputed = generator.Generate(prompt, Greedy with { UseCache = false });
            Assert.Equal(recomputed.TokenIds, cached.TokenIds);
            Assert.Equal(recomputed.Text, cached.Text);
            Assert.Equal(cached.TokenIds, cachedBatch[row].TokenIds);   // batched different-length prompts = one by one
            Assert.Equal(cached.TokenIds, recomputedBatch[row].TokenIds);
            Assert.Equal(20, cached.TokenIds.Count);
            Assert.Equal(Characters.Decode(cached.TokenIds), cached.Text);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_text_and_another_seed_another()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);
        var options = new GenerationOptions { MaxNewTokens = 30, Seed = 42, StopAtEndOfText = false, Temperature = 1.5 };

        var first = generator.Generate(Prompts, options);
        var again = generator.Generate(Prompts, options);
        var other = generator.Generate(Prompts, options with { Seed = 43 });

        Assert.Equal(first.Select(r => r.Text), again.Select(r => r.Text));
        Assert.NotEqual(first.Select(r => r.Text), other.Select(r => r.Text));
    }

    [Fact]
    public void Top_k_of_one_samples_the_greedy_tokens()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);
        var greedy = generator.Generate(Prompts, Greedy);
        var topOne = generator.Generate(Prompts, Greedy with { Temperature = 2.0, TopK = 1, Seed = 7 });
        Assert.Equal(greedy.Select(r => r.TokenIds), topOne.Select(r => r.TokenIds));
    }

    [Fact]
    public void A_stop_sequence_ends_generation_before_it_and_is_never_streamed()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);
        var free = generator.Generate("the fox", Greedy);
        var stop = free.Text.Substring(5, 2);                       // a string the greedy text is known to contain
        var expected = free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = generator.Generate("the fox", Greedy with { Stop = ["never-there", stop] });
        var streamed = Stream(generator, "the fox", Greedy with { Stop = [stop] });

        Assert.Equal(expected, stopped.Text);
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.Equal(expected, string.Concat(streamed));
    }

    [Fact]
    public void Streamed_pieces_join_to_the_generated_text()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);
        var options = new GenerationOptions { MaxNewTokens = 25, Seed = 1, TopP = 0.9, RepetitionPenalty = 1.3, StopAtEndOfText = false };
        var pieces = Stream(generator, "the", options);
        Assert.Equal(generator.Generate("the", options).Text, string.Concat(pieces));
        Assert.True(pieces.Count > 1);
    }

    [Fact]
    public void The_end_of_text_token_ends_generation_and_is_not_returned()
    {
        using var model = Tiny();
        // Make end-of-text the likeliest token everywhere: ln_f outputs a constant vector of ones (weight 0, bias 1)
        // and end-of-text's embedding row is ones too, so its logit is the width (32) and every other is near 0.
        using (torch.no_grad())
            foreach (var (name, parameter) in model.Network.named_parameters())
            {
                if (name.EndsWith("ln_f.weight", StringComparison.Ordinal))
                    parameter.zero_();
                else if (name.EndsWith("ln_f.bias", StringComparison.Ordinal))
                    parameter.fill_(1.0);
                else if (name.EndsWith("wte.weight", StringComparison.Ordinal))
                    parameter[Characters.EndOfTextId].fill_(1.0);
            }
        var generator = new TextGenerator(model, Characters);

        var stopped = generator.Generate("the fox", Greedy with { StopAtEndOfText = true });
        var ignored = generator.Generate("the fox", Greedy with { StopAtEndOfText = false, MaxNewTokens = 3 });

        Assert.Equal(FinishReason.EndOfText, stopped.FinishReason);
        Assert.Empty(stopped.TokenIds);
        Assert.Equal("", stopped.Text);
        Assert.Equal([Characters.EndOfTextId, Characters.EndOfTextId, Characters.EndOfTextId], ignored.TokenIds);
        Assert.Equal(FinishReason.Length, ignored.FinishReason);
    }

    [Fact]
    public void A_prompt_that_leaves_no_room_for_the_new_tokens_is_refused_with_the_limit()
    {
        using var model = Tiny(block: 16);
        var generator = new TextGenerator(model, Characters);
        var error = Assert.Throws<ArgumentException>(() => generator.Generate("the quick brown", Greedy));
        Assert.Contains("block size of 16", error.Message);
        Assert.Contains("at most 2", error.Message);
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_option()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => generator.Generate("a", new GenerationOptions { TopP = 1.5 })).Message);
        Assert.Contains("Temperature", Assert.Throws<ArgumentException>(() => generator.Generate("a", new GenerationOptions { Temperature = -1 })).Message);
        Assert.Contains("MaxNewTokens", Assert.Throws<ArgumentException>(() => generator.Generate("a", new GenerationOptions { MaxNewTokens = 0 })).Message);
    }

    [Fact]
    public void Cancelling_a_stream_stops_it_between_tokens()
    {
        using var model = Tiny();
        var generator = new TextGenerator(model, Characters);
        using var cancellation = new CancellationTokenSource();
        var pieces = new List<string>();

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var piece in generator.StreamAsync("the", Greedy, cancellation.Token).ToBlockingEnumerable())
            {
                pieces.Add(piece);
                if (pieces.Count == 3)
                    cancellation.Cancel();
            }
        });
        Assert.Equal(3, pieces.Count);
    }

    private static List<string> Stream(TextGenerator generator, string prompt, GenerationOptions options) =>
        generator.StreamAsync(prompt, options).ToBlockingEnumerable().ToList();
}
