using Microsoft.ML.Tokenizers;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A free-text column → <see cref="Length"/> BPE token ids: 0 pads, 1 is unknown, 2… index <see cref="Vocabulary"/>.
/// Vocabulary and <see cref="Merges"/> ("left right", in learned order) are fitted on the training column and stored
/// in the pipeline JSON, so it stays self-contained; encoding is Microsoft.ML.Tokenizers' BpeTokenizer.
/// </summary>
public sealed record BpeTextColumn(string Name, IReadOnlyList<string> Vocabulary, IReadOnlyList<string> Merges, int Length) : ColumnTransform(Name)
{
    // A token string that no text can produce (BPE tokens never hold U+0000 after pre-tokenization).
    private const string Unknown = "\0unk";
    private BpeTokenizer? _tokenizer;

    [System.Text.Json.Serialization.JsonIgnore]
    public override int Width => Length;

    [System.Text.Json.Serialization.JsonIgnore]
    public override bool ProducesTokenIds => true;

    public override IEnumerable<string> FeatureNames() => Enumerable.Range(0, Length).Select(i => $"{Name}[{i}]");

    public override void Encode(string? cell, Span<float> destination)
    {
        destination.Clear();
        if (string.IsNullOrEmpty(cell))
            return;
        _tokenizer ??= CreateTokenizer();
        var ids = _tokenizer.EncodeToIds(cell, Length, out _, out _);
        for (var i = 0; i < ids.Count; i++)
            destination[i] = ids[i];
    }

    private BpeTokenizer CreateTokenizer()
    {
        var vocabulary = Vocabulary.Select((token, i) => KeyValuePair.Create(token, i + 2)).Append(KeyValuePair.Create(Unknown, 1));
        return BpeTokenizer.Create(new BpeOptions(vocabulary) { Merges = Merges, UnknownToken = Unknown, PreTokenizer = PreTokenizer.CreateWordOrNonWord() });
    }

    internal override string? Problem() =>
        Name is null ? "a BPE text column without a name"
        : Vocabulary is null || Vocabulary.Any(t => string.IsNullOrEmpty(t) || t.Contains('\0')) ? "the vocabulary must be a list of non-empty tokens"
        : Vocabulary.Distinct(StringComparer.Ordinal).Count() != Vocabulary.Count ? "vocabulary tokens must be distinct"
        : Merges is null || Merges.Any(m => m is null || m.Split(' ').Length != 2 || !Vocabulary.Contains(m.Replace(" ", ""))) ? "each merge must be 'left right' with the merged token in the vocabulary"
        : Length is < 1 or > 1_000_000 ? $"length {Length} must be 1 to 1,000,000"
        : null;

    /// <summary>
    /// Learns BPE merges on the training cells. Microsoft.ML.Tokenizers applies BPE but has no trainer, so this is
    /// the classic algorithm (Sennrich et al. 2016) by hand: words from the same pre-tokenizer the encoder uses, then
    /// repeatedly merge the most frequent adjacent pair (ties: ordinally smallest, for a deterministic result).
    /// </summary>
    internal static BpeTextColumn Fit(string name, IReadOnlyList<string?> cells, PreprocessingOptions options)
    {
        var pre = PreTokenizer.CreateWordOrNonWord();
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var cell in cells)
            if (cell is not null)
                foreach (var (offset, length) in pre.PreTokenize(cell))
                {
                    var word = cell.Substring(offset, length);
                    words[word] = words.GetValueOrDefault(word) + 1;
                }
        var symbols = words.Select(w => (Symbols: w.Key.Select(c => c.ToString()).ToList(), Count: w.Value)).ToList();
        var vocabulary = symbols.SelectMany(w => w.Symbols).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var merges = new List<string>();
        while (vocabulary.Count < options.BpeVocabularySize)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (word, count) in symbols)
                for (var i = 0; i + 1 < word.Count; i++)
                    pairs[(word[i], word[i + 1])] = pairs.GetValueOrDefault((word[i], word[i + 1])) + count;
            if (pairs.Count == 0)
                break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1, StringComparer.Ordinal).ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First().Key;
            var merged = best.Item1 + best.Item2;
            merges.Add($"{best.Item1} {best.Item2}");
            if (!vocabulary.Contains(merged))
                vocabulary.Add(merged);
            foreach (var (word, _) in symbols)
                for (var i = 0; i + 1 < word.Count; i++)
                    if (word[i] == best.Item1 && word[i + 1] == best.Item2)
                    {
                        word[i] = merged;
                        word.RemoveAt(i + 1);
                    }
        }
        return new BpeTextColumn(name, vocabulary, merges, options.TextLength);
    }

    public bool Equals(BpeTextColumn? other) =>
        other is not null && Name == other.Name && Length == other.Length && Vocabulary.SequenceEqual(other.Vocabulary) && Merges.SequenceEqual(other.Merges);

    public override int GetHashCode() => HashCode.Combine(Name, Length, Vocabulary.Count, Merges.Count);
}
