using System.Text.Json;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// One raw JSON record → the model's input, with a fitted <see cref="PreprocessingPipeline"/>'s own column
/// transforms (<see cref="ColumnTransform.Encode"/>) and missing markers, so the values are exactly those of
/// <see cref="PreprocessingPipeline.Transform(JsonElement)"/> (a test holds the two equal). Why not call that:
/// it returns a libtorch tensor, and request threads must not enter libtorch — with several ASP.NET Core
/// threads creating tensors beside the batcher's forward passes, dynamic batching of a tabular model fell
/// from ~3,400 to ~400 req/s on 2 cores (bench serving --model tabular-raw). The record checks and their
/// messages follow the pipeline's: unknown, absent and non-scalar columns are a <see cref="FormatException"/>
/// naming the column.
/// </summary>
internal sealed class RawRecordEncoder
{
    private readonly PreprocessingPipeline _pipeline;
    private readonly SchemaInferenceOptions _missing;
    private readonly HashSet<string> _known;

    public RawRecordEncoder(PreprocessingPipeline pipeline)
    {
        _pipeline = pipeline;
        _missing = new SchemaInferenceOptions { MissingMarkers = pipeline.MissingMarkers };
        _known = pipeline.Columns.Select(c => c.Name).Concat(pipeline.IgnoredColumns).ToHashSet(StringComparer.Ordinal);
        if (pipeline.Label is { } label)
            _known.Add(label.Name);
    }

    public float[] Encode(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
            throw new FormatException($"Expected a JSON object mapping column names to values; received a JSON {record.ValueKind}.");
        var cells = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in record.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
                throw new FormatException($"The record has an unknown column '{property.Name}'; expected only the model's input columns: {ColumnList()}.");
            cells[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw new FormatException($"Column '{property.Name}' holds a JSON {property.Value.ValueKind}; expected a string, number, boolean or null."),
            };
        }
        var values = new float[_pipeline.FeatureCount];
        var offset = 0;
        foreach (var column in _pipeline.Columns)
        {
            if (!cells.TryGetValue(column.Name, out var cell))
                throw new FormatException($"The record lacks column '{column.Name}'; expected every input column: {ColumnList()} (send null for a missing value).");
            column.Encode(_missing.IsMissing(cell) ? null : cell, values.AsSpan(offset, column.Width));
            offset += column.Width;
        }
        return values;
    }

    private string ColumnList() => string.Join(", ", _pipeline.Columns.Select(c => c.Name));
}
