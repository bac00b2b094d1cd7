using ModelLoop.Language.Generation;
using ModelLoop.Language.Tokenization;

namespace ModelLoop.Language.Tests.Generation;

public sealed class TextStreamTests
{
    private static readonly Lazy<ByteLevelBpeTokenizer> Bytes = new(() => BpeTrainer.Train(["plain ascii words only"], new BpeTrainerOptions { VocabularySize = 270 }));

    [Theory]
    [InlineData("草木有本心")]
    [InlineData("emoji 😀 family 👩‍👩‍👧 café")]
    public void Pieces_never_end_inside_a_character_and_join_to_the_text(string text)
    {
        var tokenizer = Bytes.Value;
        var ids = tokenizer.Encode(text);
        Assert.True(ids.Count > text.Length / 2); // characters span several byte tokens here
        var stream = new TextStream(tokenizer, []);

        var pieces = ids.Select(id => stream.Add(id).Piece).Append(stream.Flush()).ToList();

        Assert.Equal(text, string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.DoesNotContain(pieces, p => p.Length > 0 && char.IsHighSurrogate(p[^1]));
        Assert.Contains(pieces, p => p.Length == 0); // some tokens were held until their character completed
    }

    [Fact]
    public void Text_that_may_start_a_stop_string_is_held_then_released_when_it_does_not()
    {
        var tokenizer = CharTokenizer.FromCorpus(["abc"]);
        var stream = new TextStream(tokenizer, ["abc"]);
        int Id(char c) => tokenizer.Encode(c.ToString())[0];

        Assert.Equal(("", false), stream.Add(Id('a')));
        Assert.Equal(("", false), stream.Add(Id('b')));
        Assert.Equal(("ab", false), stream.Add(Id('a')));   // "aba": only the last "a" may still start "abc"
        Assert.Equal(("", false), stream.Add(Id('b')));
        Assert.Equal(("", true), stream.Add(Id('c')));
        Assert.Equal("ab", stream.Text);
    }
}
