using System.Text;
using ModelLoop.Language.Tokenization;

namespace ModelLoop.Language.Generation;

/// <summary>
/// One row's generated text as it grows token by token: token bytes go through a UTF-8 <see cref="Decoder"/>, which
/// keeps the bytes of a character a byte-level token cut in two until the rest arrives (so no piece ends inside a
/// character); text that could be the start of a stop string is held back until it is clearly not one (so a stop
/// string is never streamed, even in part).
/// </summary>
internal sealed class TextStream(ITextTokenizer tokenizer, IReadOnlyList<string> stops)
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder(); // invalid bytes → U+FFFD, never throws
    private readonly StringBuilder _text = new();
    private string _pending = "";

    /// <summary>Everything emitted so far.</summary>
    public string Text => _text.ToString();

    /// <summary>Adds one token; returns the text now safe to emit ("" if none) and whether a stop string was reached.</summary>
    public (string Piece, bool Stopped) Add(int id)
    {
        var bytes = tokenizer is ByteLevelBpeTokenizer bpe ? bpe.DecodeToBytes([id]) : Encoding.UTF8.GetBytes(tokenizer.Decode([id]));
        var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
        _decoder.GetChars(bytes, chars, flush: false);
        _pending += new string(chars);
        var stopAt = -1;
        foreach (var stop in stops)
        {
            var at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
                stopAt = at;
        }
        if (stopAt >= 0)
        {
            var last = _pending[..stopAt];
            _pending = "";
            return (Emit(last), true);
        }
        var hold = HeldBack(_pending);
        var piece = _pending[..^hold];
        _pending = _pending[^hold..];
        return (Emit(piece), false);
    }

    /// <summary>At the end (length or end-of-text): what is still held, with U+FFFD for an unfinished character.</summary>
    public string Flush()
    {
        var chars = new char[_decoder.GetCharCount([], flush: true)];
        _decoder.GetChars([], chars, flush: true);
        var rest = _pending + new string(chars);
        _pending = "";
        return Emit(rest);
    }

    private string Emit(string piece)
    {
        _text.Append(piece);
        return piece;
    }

    // The length of the longest suffix of text that is a proper prefix of a stop string.
    private int HeldBack(string text)
    {
        var hold = 0;
        foreach (var stop in stops)
            for (var length = Math.Min(stop.Length - 1, text.Length); length > hold; length--)
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    hold = length;
                    break;
                }
        return hold;
    }
}
