using System.Text.Json.Serialization;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// The fitted label: class names in index order for <see cref="LabelKind.ClassIndex"/> (sorted numerically when
/// all numbers, else ordinally), nothing to fit for <see cref="LabelKind.Value"/>. Serving uses
/// <see cref="Classes"/> to name a predicted class index.
/// </summary>
public sealed record LabelEncoding(string Name, [property: JsonConverter(typeof(JsonStringEnumConverter<LabelKind>))] LabelKind Kind, IReadOnlyList<string> Classes)
{
    internal static LabelEncoding Fit(string name, ColumnSchema schema, IReadOnlyList<string?> cells, LabelKind? kind)
    {
        var missingRow = cells.ToList().FindIndex(c => c is null);
        if (missingRow >= 0)
            throw new FormatException($"Label column '{name}' is missing in training row {missingRow}; every training row needs a label. Drop unlabelled rows first.");
        kind ??= schema.Kind == ColumnKind.Numeric && schema.Distinct > 20 ? LabelKind.Value : LabelKind.ClassIndex;
        if (kind == LabelKind.Value)
        {
            foreach (var cell in cells)
                NumericColumn.Parse(name, false, cell!);
            return new LabelEncoding(name, LabelKind.Value, []);
        }
        var distinct = cells.Select(c => c!.Trim()).Distinct(StringComparer.Ordinal).ToArray();
        var classes = distinct.All(c => SchemaInference.TryParseNumber(c, out _))
            ? distinct.OrderBy(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : distinct.Order(StringComparer.Ordinal).ToArray();
        return new LabelEncoding(name, LabelKind.ClassIndex, classes);
    }

    internal string? Problem() =>
        Name is null ? "the label has no name"
        : !Enum.IsDefined(Kind) ? $"unknown label kind {Kind}"
        : Classes is null || Classes.Any(c => c is null) ? "label classes must be a list of strings"
        : null;

    /// <summary>The class index of a label cell, or its numeric value for regression.</summary>
    /// <exception cref="FormatException">A missing label, a class not seen in training, or a non-number for regression.</exception>
    public double Encode(string? cell, int row)
    {
        if (cell is null)
            throw new FormatException($"Label column '{Name}' is missing in row {row}; expected a label for every row.");
        if (Kind == LabelKind.Value)
            return NumericColumn.Parse(Name, false, cell);
        var index = Classes.ToList().IndexOf(cell.Trim());
        return index >= 0 ? index
            : throw new FormatException($"Label column '{Name}', row {row}: class '{cell}' was not in the training data; expected one of {string.Join(", ", Classes.Take(20))}.");
    }

    public bool Equals(LabelEncoding? other) => other is not null && Name == other.Name && Kind == other.Kind && Classes.SequenceEqual(other.Classes);

    public override int GetHashCode() => HashCode.Combine(Name, Kind, Classes.Count);
}
