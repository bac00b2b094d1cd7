using System.Text;
using ModelLoop.IO;

namespace ModelLoop.Language.Tokenization;

/// <summary>
/// One id per Unicode character (scalar value, so an emoji outside the BMP is one token, not two surrogates), as in
/// nanoGPT's character-level models: ids 0…n-1 are the corpus's characters in code-point order, and
/// <see cref="SpecialTokens.EndOfText"/> comes last. Saved as a <c>vocab.json</c> of token → id (no merges file).
/// </summary>
public sealed class CharTokenizer : ITextTokenizer
{
    private readonly string[] _tokens;
    private readonly Dictionary<int, int> _ids; // code point → id

    private CharTokenizer(IReadOnlyList<string> characters)
    {
        _tokens = [.. characters, SpecialTokens.EndOfText];
        _ids = new Dictionary<int, int>(characters.Count);
        for (var id = 0; id < characters.Count; id++)
            _ids[Rune.GetRuneAt(characters[id], 0).Value] = id;
        EndOfTextId = characters.Count;
    }

    /// <summary>The vocabulary of every character in <paramref name="documents"/>.</summary>
    /// <exception cref="ArgumentException">The documents hold no character.</exception>
    public static CharTokenizer FromCorpus(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var seen = new SortedSet<int>();
        foreach (var document in documents)
            foreach (var rune in document.Replace(SpecialTokens.EndOfText, "").EnumerateRunes())
                seen.Add(rune.Value);
        if (seen.Count == 0)
            throw new ArgumentException("The corpus holds no characters; a character vocabulary needs at least one non-empty document.", nameof(documents));
        return new CharTokenizer([.. seen.Select(c => char.ConvertFromUtf32(c))]);
    }

    public int VocabularySize => _tokens.Length;

    public int EndOfTextId { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A character outside the vocabulary; the message names it and its position.</exception>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        var pieces = text.Split(SpecialTokens.EndOfText);
        var offset = 0;
        for (var p = 0; p < pieces.Length; p++)
        {
            if (p > 0)
            {
                ids.Add(EndOfTextId);
                offset += SpecialTokens.EndOfText.Length;
            }
            foreach (var rune in pieces[p].EnumerateRunes())
            {
                if (!_ids.TryGetValue(rune.Value, out var id))
                    throw new ArgumentException($"Character '{rune}' (U+{rune.Value:X4}) at position {offset} is not in this character vocabulary ({_ids.Count} characters). Build the vocabulary from a corpus that holds it, or use a byte-level BPE tokenizer, which encodes any text.", nameof(text));
                ids.Add(id);
                offset += rune.Utf16SequenceLength;
            }
        }
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder(ids.Count);
        foreach (var id in ids)
            text.Append(id >= 0 && id < _tokens.Length
                ? _tokens[id]
                : throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside this tokenizer's vocabulary [0, {_tokens.Length}). Decode ids produced by the same tokenizer."));
        return text.ToString();
    }

    /// <summary>Writes <c>vocab.json</c> into <paramref name="directory"/> (created if missing), atomically.</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, ByteLevelBpeTokenizer.VocabularyFile), stream => ByteLevelBpeTokenizer.WriteVocabulary(stream, _tokens));
    }

    /// <summary>Reads a folder written by <see cref="Save"/>.</summary>
    /// <exception cref="FormatException">The vocabulary is not one character per id 0…n-2 and <see cref="SpecialTokens.EndOfText"/> last.</exception>
    public static CharTokenizer Load(string directory)
    {
        var path = Path.Combine(directory, ByteLevelBpeTokenizer.VocabularyFile);
        return FromVocabulary(ByteLevelBpeTokenizer.ReadVocabulary(path), path);
    }

    /// <summary>The tokenizer of a vocab.json already read (e.g. from a verified registry package); <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="FormatException">As <see cref="Load"/>.</exception>
    internal static CharTokenizer FromVocabulary(Dictionary<string, int> vocabulary, string path)
    {
        var tokens = vocabulary.OrderBy(t => t.Value).ToArray();
        for (var i = 0; i < tokens.Length; i++)
        {
            var last = i == tokens.Length - 1;
            var ok = tokens[i].Value == i && (last
                ? tokens[i].Key == SpecialTokens.EndOfText
                : tokens[i].Key.Length > 0 && Rune.GetRuneAt(tokens[i].Key, 0).Utf16SequenceLength == tokens[i].Key.Length);
            if (!ok)
                throw new FormatException($"'{path}' maps '{tokens[i].Key}' to {tokens[i].Value}; a character vocabulary has one character per id 0…{tokens.Length - 2} and '{SpecialTokens.EndOfText}' last. Rebuild it with CharTokenizer.FromCorpus.");
        }
        return new CharTokenizer([.. tokens[..^1].Select(t => t.Key)]);
    }
}
