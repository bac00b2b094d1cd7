using Microsoft.Data.Sqlite;
using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Logging;

/// <summary>Maps the log's rows (predictions p ⋈ items i ⟕ feedback f) to its records.</summary>
internal static class PredictionReader
{
    public const string Columns = """
        p.request_id, p.tenant_id, p.model, p.version, p.time_utc, p.latency_ms, p.storage, p.format, p.item_shape,
        i.item, i.outputs, i.input_json, i.input_values, i.input_sha256, i.monitored,
        f.class, f.label_values, f.correct, f.score, f.time_utc, f.revisions
        """;

    public static (LoggedPrediction Prediction, LoggedItem Item) Row(SqliteDataReader r)
    {
        var prediction = new LoggedPrediction(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), LogCodec.ParseTime(r.GetString(4)),
            r.GetDouble(5), Enum.Parse<InputStorage>(r.GetString(6)), Enum.Parse<InputFormat>(r.GetString(7)), LogCodec.Array<long>(r.GetString(8))!, []);
        var item = new LoggedItem(r.GetInt32(9), LogCodec.Floats((byte[])r[10]), Text(r, 11), r.IsDBNull(12) ? null : LogCodec.Floats((byte[])r[12]),
            Text(r, 13), LogCodec.Monitored(Text(r, 14)), Feedback(r, 15));
        return (prediction, item);
    }

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

    /// <summary>The version in columns task, class_count, output_width, class_names, output_names from <paramref name="at"/>.</summary>
    public static LoggedModelInfo Info(SqliteDataReader r, int at) =>
        new(Enum.Parse<ModelTask>(r.GetString(at)), r.GetInt32(at + 1), r.GetInt32(at + 2), LogCodec.Array<string>(Text(r, at + 3)), LogCodec.Array<string>(Text(r, at + 4)));

    private static string? Text(SqliteDataReader r, int at) => r.IsDBNull(at) ? null : r.GetString(at);
}
