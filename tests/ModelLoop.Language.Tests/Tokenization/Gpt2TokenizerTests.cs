using ModelLoop.Language.Tokenization;

namespace ModelLoop.Language.Tests.Tokenization;

public sealed class Gpt2TokenizerTests
{
    [Fact]
    public void Gpt2s_own_vocabulary_round_trips_unicode_text()
    {
        var tokenizer = new Gpt2Tokenizer();
        foreach (var text in Samples.Tricky.Concat(Samples.Chinese.Select(d => d.Text)))
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Equal(50257, tokenizer.VocabularySize);
    }

    [Fact]
    public void Gpt2s_vocabulary_gives_the_published_ids_and_end_of_text()
    {
        var tokenizer = new Gpt2Tokenizer();
        // GPT-2's encoder.json: "Hello" = 15496, "Ġworld" = 995; <|endoftext|> = 50256.
        Assert.Equal([15496, 995], tokenizer.Encode("Hello world"));
        Assert.Equal(SpecialTokens.EndOfText, tokenizer.Decode([tokenizer.EndOfTextId]));
    }

    [Fact]
    public void A_byte_level_bpe_trained_here_splits_like_gpt2_where_their_merges_agree()
    {
        // GPT-2's pre-tokenizer and ours cut text into the same words: with every word's merges learned, a word
        // seen often becomes one token in both.
        var trained = BpeTrainer.Train(Enumerable.Repeat("Hello world", 50), new BpeTrainerOptions { VocabularySize = 300 });
        Assert.Equal(2, trained.Encode("Hello world").Count);
        Assert.Equal(2, new Gpt2Tokenizer().Encode("Hello world").Count);
    }
}
