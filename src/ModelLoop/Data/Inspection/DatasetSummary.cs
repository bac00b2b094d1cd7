using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using static TorchSharp.torch;

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

    /// <summary>
    /// Summarizes an image dataset (N, C, H, W) with class-index labels: one numeric "column" per channel (pixel
    /// statistics over at most 1,000,000 pixels drawn with a fixed seed) and the class balance, named by
    /// <paramref name="classNames"/> when given.
    /// </summary>
    /// <exception cref="ArgumentException">Features are not (N, C, H, W) or labels not (N) class indices.</exception>
    public static DatasetSummary OfImages(TensorDataset data, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Features.dim() != 4 || data.Labels.dim() != 1 || data.Count == 0)
            throw new ArgumentException($"Expected images (N, C, H, W) with labels (N), N ≥ 1; received features [{string.Join(", ", data.Features.shape)}] and labels [{string.Join(", ", data.Labels.shape)}].", nameof(data));
        using var scope = NewDisposeScope();
        var columns = new List<ColumnSummary>();
        using var generator = new Generator().manual_seed(0);
        for (long c = 0; c < data.Features.shape[1]; c++)
        {
            var pixels = data.Features.select(1, c).flatten().to(ScalarType.Float64);
            // torch.quantile is limited to 16M elements, and a million pixels pin the quartiles to ~0.1%.
            if (pixels.shape[0] > 1_000_000)
                pixels = pixels.index_select(0, randint(0, pixels.shape[0], [1_000_000], generator: generator));
            var q = pixels.quantile(tensor(new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })).data<double>().ToArray();
            var distinct = (int)pixels.unique().output.NumberOfElements;
            columns.Add(new ColumnSummary($"channel {c}", ColumnKind.Numeric, 0, distinct, q[0], q[1], q[2], q[3], q[4], pixels.mean().item<double>()));
        }
        // Keys are "index name"; ordered by the index, so class 10 follows class 9.
        var balance = new SortedDictionary<string, int>(Comparer<string>.Create((a, b) =>
            long.Parse(a.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture).CompareTo(long.Parse(b.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))));
        foreach (var label in data.Labels.to(ScalarType.Int64).data<long>())
        {
            var name = classNames is not null && label >= 0 && label < classNames.Count ? $"{label} {classNames[(int)label]}" : label.ToString(System.Globalization.CultureInfo.InvariantCulture);
            balance[name] = balance.GetValueOrDefault(name) + 1;
        }
        return new DatasetSummary((int)data.Count, columns, "label", balance);
    }
}
