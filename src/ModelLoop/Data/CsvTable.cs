using System.Globalization;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// Numeric CSV files with a header row → <see cref="TensorDataset"/>. Every cell must be a number
/// (invariant culture). Fields are split on commas with RFC 4180 double-quote handling, enough for numeric
/// files; general CSV with schema inference (text, dates, categories, missing values) is the data stage's
/// job (issue 3) and will use CsvHelper.
/// </summary>
public static class CsvTable
{
    /// <summary>Loads every column but <paramref name="labelColumn"/> as float32 features (N, F).</summary>
    /// <exception cref="FormatException">Ragged rows, non-numeric cells or a missing label column; the message names the line and column.</exception>
    public static TensorDataset Load(string path, string labelColumn, LabelKind kind)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new FormatException($"'{path}' is empty; expected a header row and data rows.");
        var columns = SplitLine(header, path, 1);
        var labelIndex = Array.FindIndex(columns, c => c.Trim() == labelColumn);
        if (labelIndex < 0)
            throw new FormatException($"'{path}' has no column '{labelColumn}'. Its columns are: {string.Join(", ", columns)}. Pass the label column's name.");
        var features = new List<float>();
        var labels = new List<double>();
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var cells = SplitLine(line, path, lineNumber);
            if (cells.Length != columns.Length)
                throw new FormatException($"'{path}' line {lineNumber} has {cells.Length} fields; the header has {columns.Length}. Fix the row or quote fields that contain commas.");
            for (var i = 0; i < cells.Length; i++)
            {
                if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    throw new FormatException($"'{path}' line {lineNumber}, column '{columns[i]}': '{cells[i]}' is not a finite number. This loader reads numeric tables only; encode categories as numbers first.");
                if (i == labelIndex)
                    labels.Add(value);
                else
                    features.Add((float)value);
            }
        }
        if (labels.Count == 0)
            throw new FormatException($"'{path}' has a header but no data rows.");
        var featureTensor = tensor(features.ToArray(), [labels.Count, columns.Length - 1]);
        Tensor labelTensor;
        if (kind == LabelKind.ClassIndex)
        {
            var bad = labels.FindIndex(v => v < 0 || v != Math.Floor(v));
            if (bad >= 0)
                throw new FormatException($"'{path}' line {bad + 2}, column '{labelColumn}': class labels must be whole numbers ≥ 0; received {labels[bad]}. Use LabelKind.Value for regression targets.");
            labelTensor = tensor(labels.Select(v => (long)v).ToArray());
        }
        else
        {
            labelTensor = tensor(labels.Select(v => (float)v).ToArray(), [labels.Count, 1]);
        }
        return new TensorDataset(featureTensor, labelTensor);
    }

    /// <summary>
    /// Standardizes each feature column to mean 0, standard deviation 1 using statistics of the first
    /// dataset (the training set) only, applied in place to it and to <paramref name="others"/>. Constant
    /// columns are centred and left unscaled. Returns the fitted means and standard deviations.
    /// </summary>
    public static (float[] Means, float[] Stds) Standardize(TensorDataset train, params TensorDataset[] others)
    {
        if (train.Features.dim() != 2)
            throw new ArgumentException($"Standardize expects tabular features (N, F); received shape [{string.Join(", ", train.Features.shape)}].");
        using var mean = train.Features.mean([0]);
        using var rawStd = train.Features.std(0, unbiased: false);
        using var std = where(rawStd.gt(0), rawStd, ones_like(rawStd));
        foreach (var data in others.Prepend(train))
            data.Features.sub_(mean).div_(std);
        return (mean.data<float>().ToArray(), std.data<float>().ToArray());
    }

    private static string[] SplitLine(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
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
            throw new FormatException($"'{path}' line {lineNumber} has an unclosed double quote.");
        fields.Add(field.ToString().Trim());
        return fields.ToArray();
    }
}
