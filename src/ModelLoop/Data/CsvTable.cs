using System.Globalization;
using System.Text;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// Numeric CSV files with a header row → <see cref="TensorDataset"/>. Every cell must be a number
/// (invariant culture, e.g. <c>-1.5e3</c>). Fields are split on commas with RFC 4180 double-quote handling
/// within a line (no line breaks inside quoted fields), which is enough for numeric files and needs no CSV
/// package; general CSV with schema inference (text, dates, categories, missing values) is the data
/// stage's job and will use a real CSV parser.
/// </summary>
public static class CsvTable
{
    /// <summary>
    /// Loads every column but <paramref name="labelColumn"/> as float32 features (N, F), in file order, and the
    /// label column as <paramref name="kind"/> says: int64 (N) for <see cref="LabelKind.ClassIndex"/>, float32
    /// (N, 1) for <see cref="LabelKind.Value"/>. Blank lines are skipped.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">
    /// No header or rows, a missing or duplicated column, a ragged row, a non-numeric cell, or a class label that
    /// is not a whole number ≥ 0; the message names the file, the line and the column.
    /// </exception>
    public static TensorDataset Load(string path, string labelColumn, LabelKind kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumn);
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected LabelKind.ClassIndex (classification) or LabelKind.Value (regression).");
        if (!File.Exists(path))
            throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);

        using var reader = new StreamReader(path);
        var header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
            throw new FormatException($"'{path}' line 1: expected a header row naming the columns; the {(header is null ? "file is empty" : "line is blank")}.");
        var columns = SplitLine(header, path, 1);
        var duplicate = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new FormatException($"'{path}' line 1: column '{duplicate.Key}' appears {duplicate.Count()} times; column names must be unique.");
        var labelIndex = Array.IndexOf(columns, labelColumn.Trim());
        if (labelIndex < 0)
            throw new FormatException($"'{path}' has no column '{labelColumn}'. Its columns are: {string.Join(", ", columns)}. Pass one of them as the label column.");

        var features = new List<float>();
        var labels = new List<double>();
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var cells = SplitLine(line, path, lineNumber);
            if (cells.Length != columns.Length)
                throw new FormatException($"'{path}' line {lineNumber} has {cells.Length} fields; expected {columns.Length}, one per header column. Fix the row, or quote fields that contain commas.");
            for (var i = 0; i < cells.Length; i++)
            {
                if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    throw new FormatException($"'{path}' line {lineNumber}, column '{columns[i]}': '{cells[i]}' is not a finite number. This loader reads numeric tables only; encode categories as numbers and fill missing values first.");
                if (i != labelIndex)
                    features.Add((float)value);
                else if (kind == LabelKind.ClassIndex && (value < 0 || value != Math.Floor(value) || value > int.MaxValue))
                    throw new FormatException($"'{path}' line {lineNumber}, column '{labelColumn}': class labels must be whole numbers ≥ 0; received {cells[i]}. Use LabelKind.Value for regression targets.");
                else
                    labels.Add(value);
            }
        }
        if (labels.Count == 0)
            throw new FormatException($"'{path}' has a header but no data rows; expected at least one row after line 1.");

        TorchRuntime.EnsureLoaded();
        var featureTensor = tensor(features.ToArray(), [labels.Count, columns.Length - 1]);
        var labelTensor = kind == LabelKind.ClassIndex
            ? tensor(labels.Select(v => (long)v).ToArray())
            : tensor(labels.Select(v => (float)v).ToArray(), [labels.Count, 1]);
        return new TensorDataset(featureTensor, labelTensor);
    }

    /// <summary>
    /// Standardizes each feature column to mean 0 and standard deviation 1 (population) using statistics of
    /// <paramref name="train"/> only, applied in place to it and to every one of <paramref name="others"/>
    /// (validation and test sets must not leak into the statistics). Constant columns are centred and left
    /// unscaled (their std is reported as 1). Returns the fitted means and standard deviations, for
    /// <see cref="ApplyStandardization"/> on data that arrives later.
    /// </summary>
    /// <exception cref="ArgumentException">Features are not float32 (N, F), the training set is empty, or feature counts differ.</exception>
    public static (float[] Means, float[] Stds) Standardize(TensorDataset train, params TensorDataset[] others)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(others);
        CheckTabular(train, nameof(train));
        if (train.Count == 0)
            throw new ArgumentException("Standardize needs at least one training sample to fit means and standard deviations; received an empty dataset.", nameof(train));
        float[] means, stds;
        using (var mean = train.Features.mean([0]))
        using (var rawStd = train.Features.std(0, unbiased: false))
        using (var positive = rawStd.gt(0))
        using (var one = ones_like(rawStd))
        using (var std = where(positive, rawStd, one))
        {
            means = mean.data<float>().ToArray();
            stds = std.data<float>().ToArray();
        }
        foreach (var data in others.Prepend(train))
            ApplyStandardization(data, means, stds);
        return (means, stds);
    }

    /// <summary>
    /// Applies fitted statistics in place: feature column j becomes (x − <paramref name="means"/>[j]) /
    /// <paramref name="stds"/>[j]. Use the values <see cref="Standardize"/> returned for the training set.
    /// </summary>
    /// <exception cref="ArgumentException">Features are not float32 (N, F), the statistics do not have F entries, or a std is not positive.</exception>
    public static void ApplyStandardization(TensorDataset data, float[] means, float[] stds)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        CheckTabular(data, nameof(data));
        var width = data.Features.shape[1];
        if (means.Length != width || stds.Length != width)
            throw new ArgumentException($"The dataset has {width} feature columns but the statistics have {means.Length} means and {stds.Length} stds; fit them on data with the same columns.");
        var bad = Array.FindIndex(stds, s => !(s > 0) || float.IsInfinity(s));
        if (bad >= 0)
            throw new ArgumentException($"Standard deviations must be positive and finite; received {stds[bad]} for column {bad}.", nameof(stds));
        using var mean = tensor(means);
        using var std = tensor(stds);
        data.Features.sub_(mean).div_(std);
    }

    private static void CheckTabular(TensorDataset data, string name)
    {
        if (data.Features.dim() != 2 || data.Features.dtype != ScalarType.Float32)
            throw new ArgumentException($"Standardization expects tabular float32 features (N, F); received {data.Features.dtype} of shape [{string.Join(", ", data.Features.shape)}].", name);
    }

    /// <summary>Splits one line on commas; a field in double quotes may hold commas and "" for a quote (RFC 4180).</summary>
    private static string[] SplitLine(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
            throw new FormatException($"'{path}' line {lineNumber} has an unclosed double quote; expected a closing \" before the end of the line (fields cannot span lines).");
        fields.Add(field.ToString().Trim());
        return fields.ToArray();
    }
}
