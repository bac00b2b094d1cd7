using System.Globalization;

namespace ModelLoop.Data.Readers;

/// <summary>
/// Decides each column's <see cref="ColumnKind"/> from its cells: numeric if every non-missing cell parses as a
/// finite invariant-culture number, date if every one parses as ISO-8601, else categorical when there are few
/// distinct values and text when there are many. Also parses cells the same way for the preprocessing stage, so
/// inference and transformation can never disagree.
/// </summary>
public static class SchemaInference
{
    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"];

    /// <summary>Infers the schema of <paramref name="columns"/> over <paramref name="rows"/> (one cell per column each).</summary>
    public static TableSchema Infer(IReadOnlyList<string> columns, IReadOnlyList<string?[]> rows, SchemaInferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        options ??= SchemaInferenceOptions.Default;
        var result = new ColumnSchema[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var missing = 0;
            bool numeric = true, date = true;
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                var cell = row[c];
                if (options.IsMissing(cell))
                {
                    missing++;
                    continue;
                }
                var value = cell!.Trim();
                distinct.Add(value);
                numeric = numeric && TryParseNumber(value, out _);
                date = date && !numeric && TryParseDate(value, out _);
            }
            var kind = distinct.Count == 0 ? ColumnKind.Empty
                : numeric ? ColumnKind.Numeric
                : date ? ColumnKind.Date
                : distinct.Count <= options.MaxCategories ? ColumnKind.Categorical
                : ColumnKind.Text;
            result[c] = new ColumnSchema(columns[c], kind, missing, distinct.Count);
        }
        return new TableSchema(result);
    }

    /// <summary>Parses a finite number in the invariant culture (e.g. -1.5e3).</summary>
    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Parses an ISO-8601 date or date-time; the result is in UTC (no offset means UTC).</summary>
    public static bool TryParseDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
}
