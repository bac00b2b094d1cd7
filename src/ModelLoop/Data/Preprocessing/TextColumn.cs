using System.Globalization;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A free-text column → <see cref="Length"/> character ids (text elements, so an emoji or an accented letter
/// is one id): 0 pads, 1 is a character not seen in training, 2… index <see cref="Vocabulary"/>. Longer text is
/// cut. Character-level tokenization needs no vocabulary file, so the fitted pipeline stays self-contained.
/// </summary>
public sealed record TextColumn(string Name, IReadOnlyList<string> Vocabulary, int Length) : ColumnTransform(Name)
{
    private Dictionary<string, int>? _index;

    [System.Text.Json.Serialization.JsonIgnore]
    public override int Width => Length;

    [System.Text.Json.Serialization.JsonIgnore]
    public override bool ProducesTokenIds => true;

    public override IEnumerable<string> FeatureNames() => Enumerable.Range(0, Length).Select(i => $"{Name}[{i}]");

    internal override string? Problem() =>
        Name is null ? "a text column without a name"
        : Vocabulary is null || Vocabulary.Any(c => c is null) ? "the vocabulary must be a list of strings"
        : Vocabulary.Distinct(StringComparer.Ordinal).Count() != Vocabulary.Count ? "vocabulary entries must be distinct"
        : Length is < 1 or > 1_000_000 ? $"length {Length} must be 1 to 1,000,000"
        : null;

    public override void Encode(string? cell, Span<float> destination)
    {
        _index ??= Vocabulary.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i + 2, StringComparer.Ordinal);
        destination.Clear();
        if (cell is null)
            return;
        var elements = StringInfo.GetTextElementEnumerator(cell);
        for (var i = 0; i < Length && elements.MoveNext(); i++)
            destination[i] = _index.TryGetValue(elements.GetTextElement(), out var id) ? id : 1;
    }

    internal static TextColumn Fit(string name, IReadOnlyList<string?> cells, PreprocessingOptions options)
    {
        var vocabulary = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            if (cell is null)
                continue;
            var elements = StringInfo.GetTextElementEnumerator(cell);
            while (elements.MoveNext())
                vocabulary.Add(elements.GetTextElement());
        }
        return new TextColumn(name, vocabulary.ToArray(), options.TextLength);
    }

    public bool Equals(TextColumn? other) =>
        other is not null && Name == other.Name && Length == other.Length && Vocabulary.SequenceEqual(other.Vocabulary);

    public override int GetHashCode() => HashCode.Combine(Name, Length, Vocabulary.Count);
}
