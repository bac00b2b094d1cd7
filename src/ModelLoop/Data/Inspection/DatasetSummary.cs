using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Inspection;

/// <summary>A table at a glance: rows, one <see cref="ColumnSummary"/> per column, and the class balance of the label column.</summary>
public sealed record DatasetSummary(int Rows, IReadOnlyList<ColumnSummary> Columns, string? LabelColumn, IReadOnlyDictionary<string, int> ClassBalance)
{
    /// <summary>Summarizes <paramref name="table"/>; the class balance counts the values of <paramref name="labelColumn"/> (missing ones as "(missing)").</summary>
    /// <exception cref="ArgumentException">The label column does not exist.</exception>
    public static DatasetSummary Of(RawTable table, string? labelColumn = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new List<ColumnSummary>();
        for (var c = 0; c < table.Columns.Count; c++)
        {
            var schema = table.Schema.Columns[c];
            var present = table.Rows.Select(r => r[c]).Where(v => !table.Inference.IsMissing(v)).Select(v => v!.Trim()).ToArray();
            if (schema.Kind == ColumnKind.Numeric)
            {
                var values = present.Select(v => NumericColumn.Parse(schema.Name, false, v)).Order().ToArray();
                columns.Add(new ColumnSummary(schema.Name, schema.Kind, schema.Missing, schema.Distinct, values[0], NumericColumn.Quantile(values, 0.25),
                    NumericColumn.Quantile(values, 0.5), NumericColumn.Quantile(values, 0.75), values[^1], values.Average()));
            }
            else
            {
                var top = present.GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
                columns.Add(new ColumnSummary(schema.Name, schema.Kind, schema.Missing, schema.Distinct, Top: top?.Key, TopCount: top?.Count() ?? 0));
            }
        }
        var balance = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (labelColumn is not null)
            foreach (var cell in table.Column(labelColumn))
            {
                var key = table.Inference.IsMissing(cell) ? "(missing)" : cell!.Trim();
                balance[key] = balance.GetValueOrDefault(key) + 1;
            }
        return new DatasetSummary(table.Count, columns, labelColumn, balance);
    }
}
