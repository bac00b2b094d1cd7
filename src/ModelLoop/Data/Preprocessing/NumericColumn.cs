using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A numeric or date column → one feature: missing → <see cref="Fill"/>, clipped to [<see cref="Low"/>,
/// <see cref="High"/>], then (x − <see cref="Offset"/>) / <see cref="Scale"/>. Dates are days since 1970-01-01 UTC.
/// </summary>
public sealed record NumericColumn(string Name, bool IsDate, double Fill, double Low, double High, double Offset, double Scale) : ColumnTransform(Name)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override int Width => 1;

    public override IEnumerable<string> FeatureNames() => [Name];

    internal override string? Problem() =>
        Name is null ? "a numeric column without a name"
        : !double.IsFinite(Fill) ? $"fill value {Fill} is not finite"
        : double.IsNaN(Low) || double.IsNaN(High) || Low > High ? $"clip bounds [{Low}, {High}] are not an interval"
        : !double.IsFinite(Offset) || !double.IsFinite(Scale) || Scale == 0 ? $"offset {Offset} and scale {Scale} must be finite with a non-zero scale"
        : null;

    public override void Encode(string? cell, Span<float> destination)
    {
        var value = cell is null ? Fill : Parse(Name, IsDate, cell);
        destination[0] = (float)((Math.Clamp(value, Low, High) - Offset) / Scale);
    }

    /// <summary>Reads one non-missing cell as a number (or as days since the epoch for a date column).</summary>
    internal static double Parse(string column, bool isDate, string cell)
    {
        var text = cell.Trim();
        if (!isDate)
            return SchemaInference.TryParseNumber(text, out var number) ? number
                : throw new FormatException($"Column '{column}': '{cell}' is not a number; expected a finite number in invariant culture (e.g. -1.5e3) or a missing marker (empty, NA).");
        return SchemaInference.TryParseDate(text, out var date) ? (date - DateTimeOffset.UnixEpoch).TotalDays
            : throw new FormatException($"Column '{column}': '{cell}' is not a date; expected ISO-8601 (e.g. 2024-05-31 or 2024-05-31T12:00:00Z) or a missing marker.");
    }

    /// <summary>Fits fill, clip bounds and scaling on the training column (null = missing).</summary>
    internal static NumericColumn Fit(string name, bool isDate, IReadOnlyList<string?> cells, PreprocessingOptions options)
    {
        var present = cells.Where(c => c is not null).Select(c => Parse(name, isDate, c!)).ToArray();
        Array.Sort(present);
        if (present.Length == 0)
            throw new ArgumentException($"Column '{name}' has no values in the training data; ignore it (PreprocessingOptions.IgnoreColumns) or provide data.");
        var fill = options.Imputation switch
        {
            Imputation.Mean => present.Average(),
            Imputation.Median => Quantile(present, 0.5),
            Imputation.Mode => present.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key,
            _ => options.ImputationConstant,
        };
        var values = cells.Select(c => c is null ? fill : Parse(name, isDate, c)).ToArray();
        double low = double.NegativeInfinity, high = double.PositiveInfinity;
        if (options.Outliers == OutlierHandling.IqrClip)
        {
            var (q1, q3) = (Quantile(present, 0.25), Quantile(present, 0.75));
            (low, high) = (q1 - options.IqrFactor * (q3 - q1), q3 + options.IqrFactor * (q3 - q1));
        }
        else if (options.Outliers == OutlierHandling.ZScoreClip)
        {
            var (mean, std) = MeanStd(values);
            (low, high) = (mean - options.ZScoreLimit * std, mean + options.ZScoreLimit * std);
        }
        for (var i = 0; i < values.Length; i++)
            values[i] = Math.Clamp(values[i], low, high);
        double offset = 0, scale = 1;
        if (options.Scaling == Scaling.Standard)
        {
            var (mean, std) = MeanStd(values);
            (offset, scale) = (mean, std > 0 ? std : 1);
        }
        else if (options.Scaling == Scaling.MinMax)
        {
            var (min, max) = (values.Min(), values.Max());
            (offset, scale) = (min, max > min ? max - min : 1);
        }
        return new NumericColumn(name, isDate, fill, low, high, offset, scale);
    }

    /// <summary>Linear-interpolation quantile of sorted values (NumPy's default), q in [0, 1].</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static (double Mean, double Std) MeanStd(double[] values)
    {
        var mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length));
    }
}
