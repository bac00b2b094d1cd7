using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using ModelLoop.Artifacts;
using ModelLoop.Storage;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// The prediction log and feedback store: one SQLite file (<see cref="SqliteDatabase"/>: WAL, one IMMEDIATE transaction
/// per write, synchronous=FULL, so a committed row survives a killed process). The server appends answered requests
/// (<see cref="Append"/>, through <see cref="PredictionLogWriter"/>'s group commit) and feedback; monitoring and
/// retraining read it (<see cref="Read"/>, <see cref="ReadLabelled"/>, <see cref="Count"/>); the export writes it as a
/// dataset (<see cref="FeedbackExporter"/>). Ranges are [since, until) in UTC; readers never wait for the writer.
/// </summary>
public sealed class PredictionLog
{
    /// <summary>The file name next to the server's database: modelloop-predictions.db.</summary>
    public const string DefaultFileName = "modelloop-predictions.db";

    private readonly SqliteDatabase _database;
    private readonly ConcurrentDictionary<(string Model, string Version), bool> _knownVersions = new();

    private PredictionLog(SqliteDatabase database) => _database = database;

    /// <summary>Opens the log at <paramref name="path"/>, creating its folder, the file and the tables when absent.</summary>
    public static PredictionLog Open(string path) => new(new SqliteDatabase(path, PredictionLogSchema.Tables, PredictionLogSchema.Version));

    /// <summary>Opens the log <see cref="DefaultFileName"/> in <paramref name="folder"/> (e.g. a serving or ModelLoop home), creating it when absent.</summary>
    public static PredictionLog InFolder(string folder) => Open(System.IO.Path.Combine(folder, DefaultFileName));

    /// <summary>Where a server keeps its log by default: <see cref="DefaultFileName"/> in the folder of its database (tenants, usage).</summary>
    public static string PathNextTo(string databasePath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(databasePath))!, DefaultFileName);

    /// <summary>Opens an existing log for reading (creates nothing); null when there is no file at <paramref name="path"/>.</summary>
    public static PredictionLog? OpenExisting(string path) =>
        SqliteDatabase.OpenExisting(path, PredictionLogSchema.Version) is { } database ? new PredictionLog(database) : null;

    public string Path => _database.Path;

    /// <summary>Bytes of the file in use by rows (pages in use × page size); freed pages are reused before the file grows.</summary>
    public long DataBytes => _database.Read(c => Convert.ToInt64(
        SqliteDatabase.Scalar(c, null, "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count());"),
        CultureInfo.InvariantCulture) * Convert.ToInt64(SqliteDatabase.Scalar(c, null, "PRAGMA page_size;"), CultureInfo.InvariantCulture));

    /// <summary>Appends answered requests in one transaction: all of them are stored, or (on an exception) none.</summary>
    public void Append(IReadOnlyList<PredictionRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
            return;
        var added = _database.Write((connection, transaction) =>
        {
            var versions = new List<(string, string)>();
            foreach (var record in records)
            {
                if (AddVersion(connection, transaction, record))
                    versions.Add((record.Model, record.Version));
            }
            using var insert = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO predictions (request_id, tenant_id, model, version, time_utc, latency_ms, storage, format, item_shape, item_count,
                    outputs, input_sha256, input_json, input_values, monitored)
                VALUES ($id, $tenant, $model, $version, $time, $latency, $storage, $format, $shape, $count, $outputs, $sha, $json, $values, $monitored)
                """);
            var parameters = new (string Name, SqliteType Type)[]
            {
                ("$id", SqliteType.Text), ("$tenant", SqliteType.Text), ("$model", SqliteType.Text), ("$version", SqliteType.Text), ("$time", SqliteType.Text),
                ("$latency", SqliteType.Real), ("$storage", SqliteType.Text), ("$format", SqliteType.Text), ("$shape", SqliteType.Text), ("$count", SqliteType.Integer),
                ("$outputs", SqliteType.Blob), ("$sha", SqliteType.Text), ("$json", SqliteType.Text), ("$values", SqliteType.Blob), ("$monitored", SqliteType.Text),
            }.Select(p => insert.Parameters.Add(p.Name, p.Type)).ToArray();
            foreach (var record in records)
            {
                var (outputs, hashes, json, values, monitored) = PredictionReader.Pack(record.Items);
                object?[] row = [record.RequestId, record.TenantId, record.Model, record.Version, LogCodec.Time(record.TimeUtc), record.LatencyMs,
                    record.Storage.ToString(), record.Format.ToString(), "[" + string.Join(',', record.ItemShape) + "]", record.Items.Count,
                    outputs, hashes, json, values, monitored];
                for (var k = 0; k < row.Length; k++)
                    parameters[k].Value = row[k] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            return versions;
        });
        // Remembered only after the commit: a rolled-back batch must insert its versions again.
        foreach (var version in added)
            _knownVersions.TryAdd(version, true);
    }

    /// <summary>
    /// Requests of <paramref name="model"/> (null: every model) logged in [since, until), oldest first, with their items
    /// and feedback. <paramref name="limit"/> keeps the newest that many requests (null: all).
    /// </summary>
    public IReadOnlyList<LoggedPrediction> Read(string? model = null, DateTimeOffset? since = null, DateTimeOffset? until = null, int? limit = null)
    {
        if (limit is < 0)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be ≥ 0 (the newest requests to return), or null for all.");
        return _database.Read(connection => Group(SqliteDatabase.Query(connection, null, $"""
            SELECT {PredictionReader.Columns}
            FROM (SELECT * FROM predictions WHERE {Range("")} ORDER BY time_utc DESC, request_id DESC LIMIT $limit) AS p
            LEFT JOIN feedback f ON f.request_id = p.request_id
            ORDER BY p.time_utc, p.request_id, f.item
            """, PredictionReader.Row, RangeParameters(model, since, until, limit))));
    }

    /// <summary>
    /// Items of <paramref name="model"/> (null: every model) logged in [since, until) whose true answer is known (a label
    /// in their feedback, or a classifier's prediction confirmed correct), oldest first; <paramref name="limit"/> keeps
    /// the newest that many items.
    /// </summary>
    public IReadOnlyList<LabelledItem> ReadLabelled(string? model = null, DateTimeOffset? since = null, DateTimeOffset? until = null, int? limit = null)
    {
        if (limit is < 0)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be ≥ 0 (the newest items to return), or null for all.");
        var rows = _database.Read(connection => SqliteDatabase.Query(connection, null, $"""
            SELECT {PredictionReader.Columns}
            FROM predictions p JOIN feedback f ON f.request_id = p.request_id
            JOIN model_versions v ON v.model = p.model AND v.version = p.version
            WHERE {Range("p.")} AND {Labelled}
            ORDER BY p.time_utc DESC, p.request_id DESC, f.item DESC LIMIT $limit
            """, PredictionReader.Row, RangeParameters(model, since, until, limit)));
        var labelled = new List<LabelledItem>(rows.Count);
        for (var k = rows.Count - 1; k >= 0; k--) // oldest first
        {
            var (prediction, index, feedback) = rows[k];
            var item = prediction.Items[index!.Value] with { Feedback = feedback };
            var trueClass = feedback!.Class ?? (feedback.Values is null && feedback.Correct == true ? LogCodec.PredictedClass(item.Outputs) : null);
            labelled.Add(new LabelledItem(prediction with { Items = [item] }, item, trueClass, feedback.Values));
        }
        return labelled;
    }

    /// <summary>Requests, items, items with feedback and labelled items of <paramref name="model"/> (null: all) in [since, until).</summary>
    public PredictionCounts Count(string? model = null, DateTimeOffset? since = null, DateTimeOffset? until = null) =>
        _database.Read(connection =>
        {
            var parameters = RangeParameters(model, since, until, null);
            var (requests, items) = SqliteDatabase.Query(connection, null, $"SELECT COUNT(*), COALESCE(SUM(item_count), 0) FROM predictions WHERE {Range("")}",
                r => (r.GetInt64(0), r.GetInt64(1)), parameters)[0];
            var (feedback, labelled) = SqliteDatabase.Query(connection, null, $"""
                SELECT COUNT(*), COUNT(CASE WHEN {Labelled} THEN 1 END)
                FROM predictions p JOIN feedback f ON f.request_id = p.request_id
                JOIN model_versions v ON v.model = p.model AND v.version = p.version
                WHERE {Range("p.")}
                """, r => (r.GetInt64(0), r.GetInt64(1)), parameters)[0];
            return new PredictionCounts(requests, items, feedback, labelled);
        });

    /// <summary>The model names the log holds, sorted.</summary>
    public IReadOnlyList<string> Models() =>
        _database.Read(connection => SqliteDatabase.Query(connection, null, "SELECT DISTINCT model FROM model_versions ORDER BY model", r => r.GetString(0)));

    /// <summary>What a logged version's outputs mean; null when the log never saw it.</summary>
    public LoggedModelInfo? Info(string model, string version) =>
        _database.Read(connection => SqliteDatabase.Query(connection, null,
            "SELECT task, class_count, output_width, class_names, output_names, label_column FROM model_versions WHERE model = $m AND version = $v",
            PredictionReader.Info, ("$m", model), ("$v", version)).FirstOrDefault());

    /// <summary>
    /// The logged request <paramref name="requestId"/> of <paramref name="model"/> made by <paramref name="tenantId"/>;
    /// null when there is none — also when it exists but another tenant made it, or for another model, so that a caller
    /// cannot tell someone else's request id from an unknown one.
    /// </summary>
    public LoggedRequest? Find(string tenantId, string model, string requestId) =>
        _database.Read(connection => SqliteDatabase.Query(connection, null, """
            SELECT p.request_id, p.model, p.version, p.item_count, v.task, v.class_count, v.output_width, v.class_names, v.output_names, v.label_column
            FROM predictions p JOIN model_versions v ON v.model = p.model AND v.version = p.version
            WHERE p.request_id = $id AND p.tenant_id = $tenant AND p.model = $model
            """, r => new LoggedRequest(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), PredictionReader.Info(r, 4)),
            ("$id", requestId), ("$tenant", tenantId), ("$model", model)).FirstOrDefault());

    /// <summary>
    /// Stores feedback for item <paramref name="item"/> of a logged request. The same answer again is
    /// <see cref="FeedbackWrite.Unchanged"/> (its time too); a different one replaces it (<see cref="FeedbackWrite.Replaced"/>,
    /// last write wins). Check the request with <see cref="Find"/> first: this does not know tenants.
    /// </summary>
    public FeedbackWrite RecordFeedback(string requestId, int item, ItemFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return _database.Write((connection, transaction) =>
        {
            var count = SqliteDatabase.Scalar(connection, transaction, "SELECT item_count FROM predictions WHERE request_id = $id", ("$id", requestId));
            if (count is null || item < 0 || item >= Convert.ToInt64(count, CultureInfo.InvariantCulture))
                return FeedbackWrite.NotFound;
            var stored = SqliteDatabase.Query(connection, transaction,
                "SELECT class, label_values, correct, score, time_utc, revisions FROM feedback WHERE request_id = $id AND item = $item",
                r => PredictionReader.Feedback(r, 0)!, ("$id", requestId), ("$item", item)).FirstOrDefault();
            if (stored is not null && stored.SameAnswer(feedback))
                return FeedbackWrite.Unchanged;
            SqliteDatabase.Execute(connection, transaction, """
                INSERT INTO feedback (request_id, item, class, label_values, correct, score, time_utc, revisions)
                VALUES ($id, $item, $class, $values, $correct, $score, $time, 1)
                ON CONFLICT (request_id, item) DO UPDATE SET class = excluded.class, label_values = excluded.label_values,
                    correct = excluded.correct, score = excluded.score, time_utc = excluded.time_utc, revisions = revisions + 1
                """, ("$id", requestId), ("$item", item), ("$class", feedback.Class), ("$values", LogCodec.ToJson(feedback.Values)),
                ("$correct", feedback.Correct is { } c ? (c ? 1 : 0) : null), ("$score", feedback.Score), ("$time", LogCodec.Time(feedback.TimeUtc)));
            return stored is null ? FeedbackWrite.Created : FeedbackWrite.Replaced;
        });
    }

    /// <summary>
    /// Deletes requests (with their items and feedback) logged before now − <see cref="RetentionPolicy.MaxAge"/>, then the
    /// oldest ones until <see cref="DataBytes"/> is at most <see cref="RetentionPolicy.MaxBytes"/>, in transactions of at
    /// most 500 requests so the server's writes keep going. Returns how many requests were deleted.
    /// </summary>
    public long Prune(RetentionPolicy policy, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        long deleted = 0;
        if (policy.MaxAge is { } age)
        {
            var cutoff = LogCodec.Time((now ?? DateTimeOffset.UtcNow) - age);
            int removed;
            do
            {
                removed = DeleteOldest("WHERE time_utc < $cutoff", ("$cutoff", cutoff));
                deleted += removed;
            }
            while (removed > 0);
        }
        if (policy.MaxBytes is { } max)
        {
            while (DataBytes > max)
            {
                var removed = DeleteOldest("");
                if (removed == 0)
                    break; // only the tables' own pages are left
                deleted += removed;
            }
        }
        return deleted;
    }

    // Deletes the oldest (at most 500) requests matching the filter in one transaction; returns how many. Counted
    // apart from the DELETE, whose change count would include the rows its cascade removed.
    private int DeleteOldest(string filter, params (string, object?)[] parameters) => _database.Write((c, t) =>
    {
        var ids = SqliteDatabase.Query(c, t, $"SELECT request_id FROM predictions {filter} ORDER BY time_utc LIMIT 500", r => r.GetString(0), parameters);
        SqliteDatabase.Execute(c, t, $"DELETE FROM predictions WHERE request_id IN (SELECT request_id FROM predictions {filter} ORDER BY time_utc LIMIT 500)", parameters);
        return ids.Count;
    });

    /// <summary>PRAGMA integrity_check: "ok" when every page and index is sound.</summary>
    public string IntegrityCheck() => _database.IntegrityCheck();

    // Inserts the version's description unless this process has committed it already; true when it ran the insert.
    private bool AddVersion(SqliteConnection connection, SqliteTransaction transaction, PredictionRecord record)
    {
        if (_knownVersions.ContainsKey((record.Model, record.Version)))
            return false;
        var info = record.Info;
        SqliteDatabase.Execute(connection, transaction, """
            INSERT INTO model_versions (model, version, task, class_count, output_width, class_names, output_names, label_column)
            VALUES ($m, $v, $task, $classes, $width, $classNames, $outputNames, $label) ON CONFLICT (model, version) DO NOTHING
            """, ("$m", record.Model), ("$v", record.Version), ("$task", info.Task.ToString()), ("$classes", info.ClassCount),
            ("$width", info.OutputWidth), ("$classNames", LogCodec.ToJson(info.ClassNames)), ("$outputNames", LogCodec.ToJson(info.OutputNames)), ("$label", info.LabelColumn));
        return true;
    }

    // A feedback row f (of a request p whose version is v) that says the item's true answer.
    private const string Labelled = "(f.class IS NOT NULL OR f.label_values IS NOT NULL OR (f.correct = 1 AND v.task = 'Classification'))";

    private static string Range(string table) =>
        $"($model IS NULL OR {table}model = $model) AND ($since IS NULL OR {table}time_utc >= $since) AND ($until IS NULL OR {table}time_utc < $until)";

    private static (string, object?)[] RangeParameters(string? model, DateTimeOffset? since, DateTimeOffset? until, int? limit) =>
        [("$model", model), ("$since", since is { } s ? LogCodec.Time(s) : null), ("$until", until is { } u ? LogCodec.Time(u) : null), ("$limit", limit ?? -1)];

    // Rows of one request are adjacent (ordered by request); each may carry one item's feedback.
    private static List<LoggedPrediction> Group(List<(LoggedPrediction Prediction, int? FeedbackItem, ItemFeedback? Feedback)> rows)
    {
        var result = new List<LoggedPrediction>();
        LoggedItem[]? items = null;
        foreach (var (prediction, index, feedback) in rows)
        {
            if (result.Count == 0 || result[^1].RequestId != prediction.RequestId)
            {
                items = [.. prediction.Items];
                result.Add(prediction with { Items = items });
            }
            if (index is { } i && i < items!.Length)
                items[i] = items[i] with { Feedback = feedback };
        }
        return result;
    }
}
