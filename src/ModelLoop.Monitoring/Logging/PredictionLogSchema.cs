namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// The prediction log's tables. One row per request, its items packed in it (outputs and input values as float32
/// little-endian blobs of items × width, hashes comma-joined, records and <c>MonitoredItem</c>s as JSON arrays): a logged
/// request costs one row and its two index entries, which keeps logging cheap next to serving. Times are UTC text of
/// fixed width (yyyy-MM-ddTHH:mm:ss.fffffffZ) so that text order is time order. Feedback is one row per (request, item);
/// deleting a request deletes its feedback (foreign key, ON DELETE CASCADE).
/// </summary>
internal static class PredictionLogSchema
{
    /// <summary>The schema version (SQLite user_version) this code writes and reads.</summary>
    public const int Version = 1;

    public const string Tables = """
        CREATE TABLE IF NOT EXISTS model_versions (
            model TEXT NOT NULL, version TEXT NOT NULL, task TEXT NOT NULL, class_count INTEGER NOT NULL,
            output_width INTEGER NOT NULL, class_names TEXT NULL, output_names TEXT NULL, label_column TEXT NULL,
            PRIMARY KEY (model, version));
        CREATE TABLE IF NOT EXISTS predictions (
            request_id TEXT NOT NULL PRIMARY KEY, tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL,
            time_utc TEXT NOT NULL, latency_ms REAL NOT NULL, storage TEXT NOT NULL, format TEXT NOT NULL,
            item_shape TEXT NOT NULL, item_count INTEGER NOT NULL, outputs BLOB NOT NULL,
            input_sha256 TEXT NULL, input_json TEXT NULL, input_values BLOB NULL, monitored TEXT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS predictions_by_model_time ON predictions (model, time_utc);
        CREATE INDEX IF NOT EXISTS predictions_by_time ON predictions (time_utc);
        CREATE TABLE IF NOT EXISTS feedback (
            request_id TEXT NOT NULL REFERENCES predictions (request_id) ON DELETE CASCADE, item INTEGER NOT NULL,
            class INTEGER NULL, label_values TEXT NULL, correct INTEGER NULL, score REAL NULL, time_utc TEXT NOT NULL,
            revisions INTEGER NOT NULL,
            PRIMARY KEY (request_id, item)) WITHOUT ROWID;
        """;
}
