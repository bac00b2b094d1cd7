using System.Text.RegularExpressions;

namespace ModelLoop.Language.Tokenization;

/// <summary>
/// GPT-2's byte-level conventions, shared by the BPE tokenizer and its trainer so both see the same symbols:
/// every byte is shown as one printable character (so vocab.json and merges.txt hold no control characters or spaces,
/// and a space reads 'Ġ'), and text is cut into words by GPT-2's pre-tokenization pattern before merges apply.
/// </summary>
internal static partial class ByteLevel
{
    /// <summary>The character byte b is written as: printable Latin-1 bytes stand for themselves, the other 68 map to U+0100… in byte order.</summary>
    public static readonly char[] ByteToChar = CreateByteToChar();

    /// <summary>The inverse of <see cref="ByteToChar"/>; -1 for characters no byte maps to.</summary>
    public static readonly short[] CharToByte = CreateCharToByte();

    /// <summary>
    /// The 256 bytes in GPT-2's vocabulary order (printable ranges first, then the rest), so single-byte tokens get
    /// the same ids 0–255 as in GPT-2's own vocab.json.
    /// </summary>
    public static readonly byte[] VocabularyOrder = CreateVocabularyOrder();

    /// <summary>
    /// GPT-2's pre-tokenizer: English contractions, an optional space plus a run of letters, of digits or of other
    /// symbols, and whitespace (a run of spaces leaves its last one to the next word). Merges never cross a match.
    /// </summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    public static partial Regex PreTokenizer();

    /// <summary>The byte-level word of a pre-token: its UTF-8 bytes, each as its <see cref="ByteToChar"/> character.</summary>
    public static string ToSymbols(ReadOnlySpan<char> text)
    {
        var count = System.Text.Encoding.UTF8.GetByteCount(text);
        // Pre-tokens are short words: stack buffers avoid two allocations per word on the encoding hot path.
        var bytes = count <= 512 ? stackalloc byte[count] : new byte[count];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        var symbols = count <= 512 ? stackalloc char[count] : new char[count];
        for (var i = 0; i < count; i++)
            symbols[i] = ByteToChar[bytes[i]];
        return new string(symbols);
    }

    private static bool IsPrintable(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';

    private static byte[] CreateVocabularyOrder() =>
        [.. Enumerable.Range(0, 256).Where(IsPrintable).Concat(Enumerable.Range(0, 256).Where(b => !IsPrintable(b))).Select(b => (byte)b)];

    private static char[] CreateByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
            map[b] = IsPrintable(b) ? (char)b : (char)next++;
        return map;
    }

    private static short[] CreateCharToByte()
    {
        var map = new short[512];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++)
            map[ByteToChar[b]] = (short)b;
        return map;
    }
}
