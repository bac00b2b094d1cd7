namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// The prediction log's tables. Times are UTC text of fixed width (yyyy-MM-ddTHH:mm:ss.fffffffZ) so that text order is
/// time order; outputs and input values are float32 little-endian blobs; monitored features are <c>MonitoredItem</c>
/// JSON. Deleting a prediction deletes its items and their feedback (foreign keys, ON DELETE CASCADE).
/// </summary>
internal static class PredictionLogSchema
{
    /// <summary>The schema version (SQLite user_version) this code writes and reads.</summary>
    public const int Version = 1;

    public const string Tables = """
        CREATE TABLE IF NOT EXISTS model_versions (
            model TEXT NOT NULL, version TEXT NOT NULL, task TEXT NOT NULL, class_count INTEGER NOT NULL,
            output_width INTEGER NOT NULL, class_names TEXT NULL, output_names TEXT NULL,
            PRIMARY KEY (model, version));
        CREATE TABLE IF NOT EXISTS predictions (
            request_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL,
            time_utc TEXT NOT NULL, latency_ms REAL NOT NULL, storage TEXT NOT NULL, format TEXT NOT NULL,
            item_shape TEXT NOT NULL, item_count INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS predictions_by_model_time ON predictions (model, time_utc);
        CREATE INDEX IF NOT EXISTS predictions_by_time ON predictions (time_utc);
        CREATE TABLE IF NOT EXISTS items (
            request_id TEXT NOT NULL REFERENCES predictions (request_id) ON DELETE CASCADE, item INTEGER NOT NULL,
            outputs BLOB NOT NULL, input_json TEXT NULL, input_values BLOB NULL, input_sha256 TEXT NULL, monitored TEXT NULL,
            PRIMARY KEY (request_id, item)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS feedback (
            request_id TEXT NOT NULL, item INTEGER NOT NULL, class INTEGER NULL, label_values TEXT NULL, correct INTEGER NULL,
            score REAL NULL, time_utc TEXT NOT NULL, revisions INTEGER NOT NULL,
            PRIMARY KEY (request_id, item),
            FOREIGN KEY (request_id, item) REFERENCES items (request_id, item) ON DELETE CASCADE) WITHOUT ROWID;
        """;
}
