using System.Text.RegularExpressions;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A free-text column → one TF-IDF feature per <see cref="Vocabulary"/> word, as scikit-learn's <c>TfidfVectorizer</c>
/// with its defaults: words are runs of letters and digits, lower-cased; a word's value is its count in the cell times
/// <see cref="InverseDocumentFrequencies"/> (ln((1 + n) / (1 + df)) + 1 over the n non-missing training cells), and the row is scaled
/// to unit length. Words outside the vocabulary and missing cells add nothing (all zeros).
/// </summary>
public sealed partial record BagOfWordsColumn(string Name, IReadOnlyList<string> Vocabulary, IReadOnlyList<double> InverseDocumentFrequencies) : ColumnTransform(Name)
{
    private Dictionary<string, int>? _index;

    [System.Text.Json.Serialization.JsonIgnore]
    public override int Width => Vocabulary.Count;

    public override IEnumerable<string> FeatureNames() => Vocabulary.Select(w => $"{Name}:{w}");

    internal override string? Problem() =>
        Name is null ? "a bag-of-words column without a name"
        : Vocabulary is null || Vocabulary.Any(w => string.IsNullOrEmpty(w)) ? "the vocabulary must be a list of non-empty words"
        : Vocabulary.Distinct(StringComparer.Ordinal).Count() != Vocabulary.Count ? "vocabulary words must be distinct"
        : InverseDocumentFrequencies is null || InverseDocumentFrequencies.Count != Vocabulary.Count ? "there must be one inverse document frequency per vocabulary word"
        : InverseDocumentFrequencies.Any(w => !double.IsFinite(w) || w <= 0) ? "inverse document frequencies must be finite and positive"
        : null;

    public override void Encode(string? cell, Span<float> destination)
    {
        _index ??= Vocabulary.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
        destination.Clear();
        if (cell is null)
            return;
        foreach (var word in Words(cell))
            if (_index.TryGetValue(word, out var i))
                destination[i] += 1;
        double squares = 0;
        for (var i = 0; i < destination.Length; i++)
        {
            var value = destination[i] * InverseDocumentFrequencies[i];
            destination[i] = (float)value;
            squares += value * value;
        }
        if (squares > 0)
        {
            var scale = 1 / Math.Sqrt(squares);
            for (var i = 0; i < destination.Length; i++)
                destination[i] = (float)(destination[i] * scale);
        }
    }

    /// <summary>
    /// The <see cref="PreprocessingOptions.TextVocabularySize"/> words found in the most training cells (ties: ordinally
    /// smallest first), listed in ordinal order, with their smoothed inverse document frequencies.
    /// </summary>
    internal static BagOfWordsColumn Fit(string name, IReadOnlyList<string?> cells, PreprocessingOptions options)
    {
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var cell in cells)
            if (cell is not null)
                foreach (var word in Words(cell).Distinct(StringComparer.Ordinal))
                    documentFrequency[word] = documentFrequency.GetValueOrDefault(word) + 1;
        var vocabulary = documentFrequency.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(options.TextVocabularySize).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        if (vocabulary.Length == 0)
            throw new ArgumentException($"Text column '{name}' has no words (letters or digits) in the training data; ignore it (PreprocessingOptions.IgnoreColumns) or encode it with TextEncoding.TokenIds.");
        var n = cells.Count(c => c is not null);
        var idf = vocabulary.Select(w => Math.Log((1.0 + n) / (1.0 + documentFrequency[w])) + 1).ToArray();
        return new BagOfWordsColumn(name, vocabulary, idf);
    }

    private static IEnumerable<string> Words(string cell) => WordPattern().Matches(cell).Select(m => m.Value.ToLowerInvariant());

    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+")]
    private static partial Regex WordPattern();

    public bool Equals(BagOfWordsColumn? other) =>
        other is not null && Name == other.Name && Vocabulary.SequenceEqual(other.Vocabulary) && InverseDocumentFrequencies.SequenceEqual(other.InverseDocumentFrequencies);

    public override int GetHashCode() => HashCode.Combine(Name, Vocabulary.Count);
}
