namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A categorical column → one-hot (<see cref="Categories"/>.Count features, one more under
/// <see cref="UnknownCategoryPolicy.Infrequent"/>) or ordinal (one feature). Missing → <see cref="Fill"/> (the training
/// mode). A category not in <see cref="Categories"/> is handled by <see cref="UnknownCategories"/>.
/// </summary>
public sealed record CategoricalColumn(string Name, IReadOnlyList<string> Categories, CategoricalEncoding Encoding, string Fill) : ColumnTransform(Name)
{
    /// <summary>The one-hot feature name suffix of the infrequent bucket ("color=(infrequent)").</summary>
    public const string InfrequentName = "(infrequent)";

    // How many known categories an error message lists before "…".
    private const int ListedInErrors = 20;

    private Dictionary<string, int>? _index;

    /// <summary>
    /// What a category outside <see cref="Categories"/> becomes. Defaults to <see cref="UnknownCategoryPolicy.Ignore"/>,
    /// which is also what a pipeline JSON without the field means.
    /// </summary>
    public UnknownCategoryPolicy UnknownCategories { get; init; } = UnknownCategoryPolicy.Ignore;

    [System.Text.Json.Serialization.JsonIgnore]
    public override int Width => Encoding == CategoricalEncoding.Ordinal ? 1 : Categories.Count + (HasInfrequentBucket ? 1 : 0);

    private bool HasInfrequentBucket => UnknownCategories == UnknownCategoryPolicy.Infrequent;

    public override IEnumerable<string> FeatureNames() =>
        Encoding == CategoricalEncoding.Ordinal ? [Name]
        : Categories.Select(c => $"{Name}={c}").Concat(HasInfrequentBucket ? [$"{Name}={InfrequentName}"] : []);

    internal override string? Problem() =>
        Name is null ? "a categorical column without a name"
        : Categories is null || Categories.Any(c => c is null) ? "categories must be a list of strings"
        : Categories.Distinct(StringComparer.Ordinal).Count() != Categories.Count ? "categories must be distinct"
        : Fill is null ? "no fill category"
        : !Enum.IsDefined(Encoding) ? $"unknown encoding {Encoding}"
        : !Enum.IsDefined(UnknownCategories) ? $"unknown policy for unseen categories {UnknownCategories}"
        : null;

    public override void Encode(string? cell, Span<float> destination)
    {
        _index ??= Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var value = (cell ?? Fill).Trim();
        var found = _index.TryGetValue(value, out var index) ? index
            : UnknownCategories switch
            {
                UnknownCategoryPolicy.Infrequent => Categories.Count,
                UnknownCategoryPolicy.Error => throw new FormatException(
                    $"Column '{Name}': '{value}' is not a category seen in training; expected one of {Known()} (or a missing marker). " +
                    "What to do: send a known category, or fit the pipeline with PreprocessingOptions.UnknownCategories = Ignore or Infrequent."),
                _ => -1,
            };
        if (Encoding == CategoricalEncoding.Ordinal)
        {
            destination[0] = found;
            return;
        }
        destination.Clear();
        if (found >= 0)
            destination[found] = 1;
    }

    private string Known() =>
        Categories.Count == 0 ? "no category (every training category was infrequent)"
        : string.Join(", ", Categories.Take(ListedInErrors).Select(c => $"'{c}'")) + (Categories.Count > ListedInErrors ? $", … ({Categories.Count} in all)" : "");

    internal static CategoricalColumn Fit(string name, IReadOnlyList<string?> cells, PreprocessingOptions options)
    {
        var present = cells.Where(c => c is not null).Select(c => c!.Trim()).ToArray();
        if (present.Length == 0)
            throw new ArgumentException($"Column '{name}' has no values in the training data; ignore it (PreprocessingOptions.IgnoreColumns) or provide data.");
        var counts = present.GroupBy(c => c, StringComparer.Ordinal).Select(g => (Category: g.Key, Count: g.Count())).ToArray();
        var kept = options.UnknownCategories == UnknownCategoryPolicy.Infrequent ? counts.Where(c => c.Count >= options.MinFrequency) : counts;
        var categories = kept.Select(c => c.Category).Order(StringComparer.Ordinal).ToArray();
        var mode = counts.OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).First().Category;
        return new CategoricalColumn(name, categories, options.CategoricalEncoding, mode) { UnknownCategories = options.UnknownCategories };
    }

    // Records compare collections by reference; compare the categories by content so a JSON round trip is equal.
    public bool Equals(CategoricalColumn? other) =>
        other is not null && Name == other.Name && Encoding == other.Encoding && Fill == other.Fill && UnknownCategories == other.UnknownCategories
        && Categories.SequenceEqual(other.Categories);

    public override int GetHashCode() => HashCode.Combine(Name, Encoding, Fill, UnknownCategories, Categories.Count);
}
