using System.Text.Json;
using System.Text.Json.Serialization;
using ModelLoop.Data.Readers;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// A preprocessing pipeline fitted on training data only, that travels with the model: tabular columns →
/// float32 features (N, F) (imputation, outlier clipping, scaling, one-hot/ordinal, TF-IDF or token ids), the label →
/// class indices or values, or images → per-channel normalized tensors. <see cref="ToJson"/> is self-contained:
/// a server rebuilds it with <see cref="FromJson"/> and applies exactly what training applied to one raw record
/// (<see cref="Transform(IReadOnlyDictionary{string, string})"/> or <see cref="Transform(JsonElement)"/>).
/// </summary>
public sealed class PreprocessingPipeline
{
    /// <summary>The "format" field of the JSON; bumped when the JSON changes incompatibly.</summary>
    public const string FormatVersion = "modelloop.preprocessing/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        // ±∞ are the open clip bounds of columns without outlier handling.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly SchemaInferenceOptions _missing;

    private PreprocessingPipeline(IReadOnlyList<ColumnTransform> columns, LabelEncoding? label, IReadOnlyList<string> ignored,
        IReadOnlyList<string> missingMarkers, ImageNormalization? image)
    {
        Columns = columns;
        Label = label;
        IgnoredColumns = ignored;
        MissingMarkers = missingMarkers;
        Image = image;
        _missing = new SchemaInferenceOptions { MissingMarkers = missingMarkers };
        FeatureNames = columns.SelectMany(c => c.FeatureNames()).ToArray();
        TokenIdColumns = columns.Where(c => c.ProducesTokenIds).Select(c => c.Name).ToArray();
    }

    /// <summary>The fitted feature columns, in input order.</summary>
    public IReadOnlyList<ColumnTransform> Columns { get; }
    /// <summary>The fitted label, or null when fitted without one.</summary>
    public LabelEncoding? Label { get; }
    /// <summary>Columns a record may carry that are not used.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; }
    /// <summary>Cell values read as missing.</summary>
    public IReadOnlyList<string> MissingMarkers { get; }
    /// <summary>Image normalization, for a pipeline made by <see cref="FitImages"/>; null for tabular ones.</summary>
    public ImageNormalization? Image { get; }
    /// <summary>One name per output feature (F of the (N, F) output).</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    public int FeatureCount => FeatureNames.Count;

    /// <summary>
    /// The columns whose features are token ids (<see cref="TextEncoding.TokenIds"/>), in input order; empty when every
    /// feature is a quantity a Dense layer can read.
    /// </summary>
    public IReadOnlyList<string> TokenIdColumns { get; }

    /// <summary>True when some features are token ids (<see cref="TokenIdColumns"/>), meant for an Embedding layer.</summary>
    public bool HasTokenIds => TokenIdColumns.Count > 0;

    /// <summary>
    /// Checks that every feature is a quantity, so a model whose first layer is Dense can read them; call it before
    /// training such a model.
    /// </summary>
    /// <exception cref="ArgumentException">A column is encoded as token ids; the message names it and what to use instead.</exception>
    public void CheckFitsDenseInput()
    {
        if (HasTokenIds)
            throw new ArgumentException(
                $"The preprocessing pipeline's column '{TokenIdColumns[0]}' is encoded as token ids, which a Dense layer would read as magnitudes; " +
                "use TextEncoding.BagOfWords or a model whose first layer is Embedding." +
                (TokenIdColumns.Count > 1 ? $" (Token-id columns: {string.Join(", ", TokenIdColumns.Select(c => $"'{c}'"))}.)" : ""));
    }

    /// <summary>
    /// Fits the pipeline on <paramref name="train"/> (the training split only: validation and test data must not
    /// leak into the statistics). Numeric and date columns are imputed, clipped and scaled; categorical ones encoded;
    /// text ones become TF-IDF vectors (or token ids, by <see cref="PreprocessingOptions.TextEncoding"/>); empty columns are ignored.
    /// </summary>
    /// <exception cref="ArgumentException">The table is empty, a named column does not exist, or no feature column is left.</exception>
    /// <exception cref="FormatException">A missing or unparsable label.</exception>
    public static PreprocessingPipeline Fit(RawTable train, PreprocessingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new PreprocessingOptions();
        if (train.Count == 0)
            throw new ArgumentException("The preprocessing pipeline is fitted on training rows; received a table with no rows.", nameof(train));
        if (options.TextLength < 1)
            throw new ArgumentException($"PreprocessingOptions.TextLength must be at least 1; received {options.TextLength}.", nameof(options));
        if (options.TextVocabularySize < 1)
            throw new ArgumentException($"PreprocessingOptions.TextVocabularySize must be at least 1; received {options.TextVocabularySize}.", nameof(options));
        if (!Enum.IsDefined(options.TextEncoding))
            throw new ArgumentException($"PreprocessingOptions.TextEncoding must be BagOfWords or TokenIds; received {options.TextEncoding}.", nameof(options));
        if (options.BpeVocabularySize < 1)
            throw new ArgumentException($"PreprocessingOptions.BpeVocabularySize must be at least 1; received {options.BpeVocabularySize}.", nameof(options));
        if (options.MinFrequency < 1)
            throw new ArgumentException($"PreprocessingOptions.MinFrequency must be at least 1 (1 keeps every training category); received {options.MinFrequency}.", nameof(options));
        if (!Enum.IsDefined(options.UnknownCategories))
            throw new ArgumentException($"PreprocessingOptions.UnknownCategories must be Ignore, Error or Infrequent; received {options.UnknownCategories}.", nameof(options));
        foreach (var name in options.IgnoreColumns.Append(options.LabelColumn).OfType<string>())
            train.IndexOf(name);
        var table = new RawTable(train.Columns, train.Rows, options.Inference);
        var ignored = new List<string>(options.IgnoreColumns);
        var columns = new List<ColumnTransform>();
        LabelEncoding? label = null;
        for (var c = 0; c < table.Columns.Count; c++)
        {
            var name = table.Columns[c];
            var cells = table.Rows.Select(r => options.Inference.IsMissing(r[c]) ? null : r[c]).ToArray();
            var schema = table.Schema.Columns[c];
            if (name == options.LabelColumn)
                label = LabelEncoding.Fit(name, schema, cells, options.LabelKind);
            else if (ignored.Contains(name))
                continue;
            else if (schema.Kind == ColumnKind.Empty)
                ignored.Add(name);
            else
                columns.Add(schema.Kind switch
                {
                    ColumnKind.Numeric => NumericColumn.Fit(name, false, cells, options),
                    ColumnKind.Date => NumericColumn.Fit(name, true, cells, options),
                    ColumnKind.Categorical => CategoricalColumn.Fit(name, cells, options),
                    _ when options.TextEncoding == TextEncoding.BagOfWords => BagOfWordsColumn.Fit(name, cells, options),
                    _ when options.TextTokenization == TextTokenization.Bpe => BpeTextColumn.Fit(name, cells, options),
                    _ => TextColumn.Fit(name, cells, options),
                });
        }
        if (columns.Count == 0)
            throw new ArgumentException($"No feature column is left to fit: columns {string.Join(", ", table.Columns)}, label '{options.LabelColumn}', ignored {string.Join(", ", ignored)}.", nameof(train));
        return new PreprocessingPipeline(columns, label, ignored, options.Inference.MissingMarkers, null);
    }

    /// <summary>Fits per-channel normalization on training images (N, C, H, W), uint8 or float.</summary>
    public static PreprocessingPipeline FitImages(Tensor trainImages) =>
        new([], null, [], SchemaInferenceOptions.Default.MissingMarkers, ImageNormalization.Fit(trainImages));

    /// <summary>Features of every row: float32 (N, F).</summary>
    /// <exception cref="ArgumentException">A feature column is absent from the table.</exception>
    /// <exception cref="FormatException">An unparsable cell; the message names the row and column.</exception>
    public Tensor Transform(RawTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        RequireTabular();
        var indices = Columns.Select(c => table.IndexOf(c.Name)).ToArray();
        var values = new float[(long)table.Count * FeatureCount];
        for (var r = 0; r < table.Count; r++)
        {
            try
            {
                EncodeRow(i => table.Rows[r][indices[i]], values.AsSpan(r * FeatureCount, FeatureCount));
            }
            catch (FormatException e)
            {
                throw new FormatException($"Row {r}: {e.Message}", e);
            }
        }
        TorchRuntime.EnsureLoaded();
        return tensor(values, [table.Count, FeatureCount]);
    }

    /// <summary>The model input (1, F) for one raw record, e.g. a client's request: column name → cell (null = missing).</summary>
    /// <exception cref="FormatException">
    /// A feature column is absent, the record has a column the pipeline does not know, or a cell is unparsable; the
    /// message names the column and what is expected. (The label and ignored columns may be present and are skipped.)
    /// </exception>
    public Tensor Transform(IReadOnlyDictionary<string, string?> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireTabular();
        var unknown = record.Keys.FirstOrDefault(k => Columns.All(c => c.Name != k) && k != Label?.Name && !IgnoredColumns.Contains(k));
        if (unknown is not null)
            throw new FormatException($"The record has an unknown column '{unknown}'; expected only the model's input columns: {string.Join(", ", Columns.Select(c => c.Name))}.");
        var absent = Columns.FirstOrDefault(c => !record.ContainsKey(c.Name));
        if (absent is not null)
            throw new FormatException($"The record lacks column '{absent.Name}'; expected every input column: {string.Join(", ", Columns.Select(c => c.Name))} (send null for a missing value).");
        var values = new float[FeatureCount];
        EncodeRow(i => record[Columns[i].Name], values);
        TorchRuntime.EnsureLoaded();
        return tensor(values, [1, FeatureCount]);
    }

    /// <summary>The model input (1, F) for one raw record as a JSON object: strings, numbers, booleans or null per column.</summary>
    /// <exception cref="FormatException">Not an object, a nested value, or as <see cref="Transform(IReadOnlyDictionary{string, string})"/>.</exception>
    public Tensor Transform(JsonElement record)
    {
        return Transform(Cells(record));
    }

    /// <summary>A JSON record's cells as text, as a CSV would hold them (numbers as written, null = missing).</summary>
    /// <exception cref="FormatException">Not an object, or a nested value.</exception>
    internal static Dictionary<string, string?> Cells(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
            throw new FormatException($"Expected a JSON object mapping column names to values; received a JSON {record.ValueKind}.");
        var cells = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in record.EnumerateObject())
            cells[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw new FormatException($"Column '{property.Name}' holds a JSON {property.Value.ValueKind}; expected a string, number, boolean or null."),
            };
        return cells;
    }

    /// <summary>True when a cell counts as missing (null or one of the pipeline's missing markers).</summary>
    internal bool IsMissing(string? cell) => _missing.IsMissing(cell);

    /// <summary>Normalizes images (N, C, H, W) with the fitted channel statistics (a pipeline from <see cref="FitImages"/>).</summary>
    public Tensor TransformImages(Tensor images) =>
        (Image ?? throw new InvalidOperationException("This pipeline was fitted on a table, not on images; use Transform(RawTable), or fit one with FitImages.")).Apply(images);

    /// <summary>Labels of every row: int64 (N) class indices, or float32 (N, 1) values for regression.</summary>
    /// <exception cref="InvalidOperationException">The pipeline was fitted without a label column.</exception>
    /// <exception cref="FormatException">A missing label or a class not seen in training.</exception>
    public Tensor TransformLabels(RawTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var label = Label ?? throw new InvalidOperationException("This pipeline was fitted without a label column; set PreprocessingOptions.LabelColumn when fitting.");
        var index = table.IndexOf(label.Name);
        var values = table.Rows.Select((row, r) => label.Encode(_missing.IsMissing(row[index]) ? null : row[index], r)).ToArray();
        TorchRuntime.EnsureLoaded();
        return label.Kind == LabelKind.ClassIndex
            ? tensor(values.Select(v => (long)v).ToArray())
            : tensor(values.Select(v => (float)v).ToArray(), [values.Length, 1]);
    }

    /// <summary>Features and labels of a table as a <see cref="TensorDataset"/> for <c>Fit</c>/<c>Evaluate</c>.</summary>
    public TensorDataset ToDataset(RawTable table)
    {
        var features = Transform(table);
        try
        {
            return new TensorDataset(features, TransformLabels(table));
        }
        catch
        {
            features.Dispose();
            throw;
        }
    }

    /// <summary>The fitted pipeline as a self-contained JSON object (format <see cref="FormatVersion"/>).</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(new Document(FormatVersion, Columns, Label, IgnoredColumns, MissingMarkers, Image), Json);

    /// <summary>Rebuilds a pipeline from <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="FormatException">Not JSON, or not a ModelLoop preprocessing pipeline of a known format.</exception>
    public static PreprocessingPipeline FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not a preprocessing pipeline: invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine} ({e.Message}). Expected the output of PreprocessingPipeline.ToJson().", e);
        }
        catch (NotSupportedException e)
        {
            // e.g. a column object without its "type" discriminator
            throw new FormatException($"Not a preprocessing pipeline: {e.Message} Expected the output of PreprocessingPipeline.ToJson().", e);
        }
        if (document is null || document.Format != FormatVersion)
            throw new FormatException($"Expected a preprocessing pipeline with \"format\": \"{FormatVersion}\"; received format '{document?.Format}'. Re-fit and save it with this version of ModelLoop.");
        var columns = document.Columns ?? [];
        var problem = columns.Select((c, i) => c is null ? $"column {i} is null" : c.Problem() is { } p ? $"column {i} ('{c.Name}'): {p}" : null).FirstOrDefault(p => p is not null)
            ?? (columns.Select(c => c.Name).Distinct().Count() != columns.Count ? "column names repeat" : null)
            ?? document.Label?.Problem() ?? document.Image?.Problem()
            ?? (document.IgnoredColumns?.Any(c => c is null) == true || document.MissingMarkers?.Any(m => m is null) == true ? "ignoredColumns and missingMarkers must be lists of strings" : null)
            ?? (columns.Count == 0 && document.Image is null ? "it has neither columns nor image normalization" : null);
        if (problem is not null)
            throw new FormatException($"Not a usable preprocessing pipeline: {problem}. Re-fit it and save it with PreprocessingPipeline.ToJson().");
        return new PreprocessingPipeline(columns, document.Label, document.IgnoredColumns ?? [], document.MissingMarkers ?? [], document.Image);
    }

    private void EncodeRow(Func<int, string?> cell, Span<float> destination)
    {
        var offset = 0;
        for (var i = 0; i < Columns.Count; i++)
        {
            var column = Columns[i];
            var value = cell(i);
            column.Encode(_missing.IsMissing(value) ? null : value, destination.Slice(offset, column.Width));
            offset += column.Width;
        }
    }

    private void RequireTabular()
    {
        if (Image is not null)
            throw new InvalidOperationException("This pipeline normalizes images; use TransformImages(tensor).");
    }

    private sealed record Document(string Format, IReadOnlyList<ColumnTransform>? Columns, LabelEncoding? Label,
        IReadOnlyList<string>? IgnoredColumns, IReadOnlyList<string>? MissingMarkers, ImageNormalization? Image);
}
