namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A categorical column → one-hot (<see cref="Categories"/>.Count features) or ordinal (one feature). Missing →
/// <see cref="Fill"/> (the training mode). A category never seen in training is all zeros (one-hot) or −1 (ordinal).
/// </summary>
public sealed record CategoricalColumn(string Name, IReadOnlyList<string> Categories, CategoricalEncoding Encoding, string Fill) : ColumnTransform(Name)
{
    private Dictionary<string, int>? _index;

    [System.Text.Json.Serialization.JsonIgnore]
    public override int Width => Encoding == CategoricalEncoding.OneHot ? Categories.Count : 1;

    public override IEnumerable<string> FeatureNames() =>
        Encoding == CategoricalEncoding.OneHot ? Categories.Select(c => $"{Name}={c}") : [Name];

    internal override string? Problem() =>
        Name is null ? "a categorical column without a name"
        : Categories is null || Categories.Any(c => c is null) ? "categories must be a list of strings"
        : Categories.Distinct(StringComparer.Ordinal).Count() != Categories.Count ? "categories must be distinct"
        : Fill is null ? "no fill category"
        : !Enum.IsDefined(Encoding) ? $"unknown encoding {Encoding}"
        : null;

    public override void Encode(string? cell, Span<float> destination)
    {
        _index ??= Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var found = _index.TryGetValue((cell ?? Fill).Trim(), out var index) ? index : -1;
        if (Encoding == CategoricalEncoding.Ordinal)
        {
            destination[0] = found;
            return;
        }
        destination.Clear();
        if (found >= 0)
            destination[found] = 1;
    }

    internal static CategoricalColumn Fit(string name, IReadOnlyList<string?> cells, PreprocessingOptions options)
    {
        var present = cells.Where(c => c is not null).Select(c => c!.Trim()).ToArray();
        if (present.Length == 0)
            throw new ArgumentException($"Column '{name}' has no values in the training data; ignore it (PreprocessingOptions.IgnoreColumns) or provide data.");
        var categories = present.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var mode = present.GroupBy(c => c, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        return new CategoricalColumn(name, categories, options.CategoricalEncoding, mode);
    }

    // Records compare collections by reference; compare the categories by content so a JSON round trip is equal.
    public bool Equals(CategoricalColumn? other) =>
        other is not null && Name == other.Name && Encoding == other.Encoding && Fill == other.Fill && Categories.SequenceEqual(other.Categories);

    public override int GetHashCode() => HashCode.Combine(Name, Encoding, Fill, Categories.Count);
}
