using ModelLoop.Language.Tokenization;

namespace ModelLoop.Language.Tests.Tokenization;

public sealed class CharTokenizerTests
{
    [Fact]
    public void Every_character_of_the_corpus_round_trips_and_an_emoji_is_one_token()
    {
        var texts = Samples.Texts.Concat(Samples.Tricky).ToList();
        var tokenizer = CharTokenizer.FromCorpus(texts);

        foreach (var text in texts)
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Single(tokenizer.Encode("😀"));
        Assert.Equal(tokenizer.VocabularySize - 1, tokenizer.EndOfTextId);
    }

    [Fact]
    public void Ids_follow_code_point_order()
    {
        var tokenizer = CharTokenizer.FromCorpus(["cab", "b"]);
        Assert.Equal([0, 1, 2], tokenizer.Encode("abc"));
        Assert.Equal(4, tokenizer.VocabularySize);
    }

    [Fact]
    public void A_character_outside_the_vocabulary_is_named_with_its_position()
    {
        var tokenizer = CharTokenizer.FromCorpus(["abc"]);
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("abz"));
        Assert.Contains("'z' (U+007A) at position 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_and_loading_keeps_every_id()
    {
        var folder = Directory.CreateTempSubdirectory("char-save").FullName;
        try
        {
            var tokenizer = CharTokenizer.FromCorpus(Samples.Texts);
            tokenizer.Save(folder);
            var loaded = Assert.IsType<CharTokenizer>(TextTokenizers.Load(folder));
            foreach (var text in Samples.Texts)
                Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
            Assert.Equal(tokenizer.VocabularySize, loaded.VocabularySize);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
