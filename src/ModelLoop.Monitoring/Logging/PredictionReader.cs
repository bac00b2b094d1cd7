using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Logging;

/// <summary>Packs a request's items into its row and unpacks them; maps rows of predictions p ⟕ feedback f to the log's records.</summary>
internal static class PredictionReader
{
    public const string Columns = """
        p.request_id, p.tenant_id, p.model, p.version, p.time_utc, p.latency_ms, p.storage, p.format, p.item_shape,
        p.item_count, p.outputs, p.input_sha256, p.input_json, p.input_values, p.monitored,
        f.item, f.class, f.label_values, f.correct, f.score, f.time_utc, f.revisions
        """;

    /// <summary>A request with all its items (without feedback), and the feedback of this row (item index and feedback; null when none).</summary>
    public static (LoggedPrediction Prediction, int? FeedbackItem, ItemFeedback? Feedback) Row(SqliteDataReader r) =>
        (new LoggedPrediction(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), LogCodec.ParseTime(r.GetString(4)),
            r.GetDouble(5), Enum.Parse<InputStorage>(r.GetString(6)), Enum.Parse<InputFormat>(r.GetString(7)), LogCodec.Array<long>(r.GetString(8))!, Items(r)),
         r.IsDBNull(15) ? null : r.GetInt32(15), Feedback(r, 16));

    /// <summary>The feedback in columns class, label_values, correct, score, time_utc, revisions from <paramref name="at"/>; null when absent.</summary>
    public static ItemFeedback? Feedback(SqliteDataReader r, int at) => r.IsDBNull(at + 4) ? null : new ItemFeedback
    {
        Class = r.IsDBNull(at) ? null : r.GetInt32(at),
        Values = LogCodec.Array<double>(Text(r, at + 1)),
        Correct = r.IsDBNull(at + 2) ? null : r.GetInt64(at + 2) != 0,
        Score = r.IsDBNull(at + 3) ? null : r.GetDouble(at + 3),
        TimeUtc = LogCodec.ParseTime(r.GetString(at + 4)),
        Revisions = r.GetInt32(at + 5),
    };

    public static LoggedModelInfo Info(SqliteDataReader r) => Info(r, 0);

    /// <summary>The version in columns task, class_count, output_width, class_names, output_names, label_column from <paramref name="at"/>.</summary>
    public static LoggedModelInfo Info(SqliteDataReader r, int at) =>
        new(Enum.Parse<ModelTask>(r.GetString(at)), r.GetInt32(at + 1), r.GetInt32(at + 2), LogCodec.Array<string>(Text(r, at + 3)), LogCodec.Array<string>(Text(r, at + 4)))
        {
            LabelColumn = Text(r, at + 5),
        };

    /// <summary>A request's items packed for its row: outputs, hashes, records, input values, monitored features (null when no item has one).</summary>
    public static (byte[] Outputs, string? Hashes, string? Json, byte[]? Values, string? Monitored) Pack(IReadOnlyList<ItemRecord> items)
    {
        var outputs = Concat(items.Select(i => i.Outputs).ToArray());
        string? hashes = items.Any(i => i.InputSha256 is not null) ? string.Join(',', items.Select(i => i.InputSha256 ?? "")) : null;
        // Each record's JSON text goes in as it is (already valid JSON), so reading it back gives the same text.
        string? json = items.Any(i => i.InputJson is not null) ? "[" + string.Join(',', items.Select(i => i.InputJson ?? "null")) + "]" : null;
        byte[]? values = null;
        if (items.Any(i => i.InputValues is not null))
            values = Concat(items.Select(i => i.InputValues ?? throw new ArgumentException("Either every item of a request keeps its input values or none does.", nameof(items))).ToArray());
        var monitored = items.Any(i => i.Monitored is not null) ? JsonSerializer.Serialize(items.Select(i => i.Monitored).ToArray(), LogCodec.Json) : null;
        return (outputs, hashes, json, values, monitored);
    }

    // The items' float32 values end to end, as the little-endian bytes of the blob.
    private static byte[] Concat(float[][] parts)
    {
        if (parts.Length == 1)
            return LogCodec.Blob(parts[0]);
        var bytes = new byte[parts.Sum(p => p.Length) * sizeof(float)];
        var at = 0;
        foreach (var part in parts)
        {
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(part.AsSpan()).CopyTo(bytes.AsSpan(at));
            at += part.Length * sizeof(float);
        }
        return bytes;
    }

    // Unpacks the items of the row's request (columns 9–14).
    private static LoggedItem[] Items(SqliteDataReader r)
    {
        var count = r.GetInt32(9);
        var outputs = LogCodec.Floats((byte[])r[10]);
        var hashes = Text(r, 11)?.Split(',');
        string?[]? records = null;
        if (Text(r, 12) is { } json)
        {
            using var document = JsonDocument.Parse(json);
            records = document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetRawText()).ToArray();
        }
        var values = r.IsDBNull(13) ? null : LogCodec.Floats((byte[])r[13]);
        var monitored = Text(r, 14) is { } m ? JsonSerializer.Deserialize<MonitoredItem?[]>(m, LogCodec.Json) : null;
        var width = count == 0 ? 0 : outputs.Length / count;
        var elements = values is null || count == 0 ? 0 : values.Length / count;
        var items = new LoggedItem[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = new LoggedItem(i, outputs.AsSpan(i * width, width).ToArray(), records?[i], values?.AsSpan(i * elements, elements).ToArray(),
                hashes?[i] is { Length: > 0 } hash ? hash : null, monitored?[i], null);
        }
        return items;
    }

    private static string? Text(SqliteDataReader r, int at) => r.IsDBNull(at) ? null : r.GetString(at);
}
