using Microsoft.Data.Sqlite;
using static ModelLoop.Storage.SqliteDatabase;

namespace ModelLoop.Tracking;

public sealed partial class RunStore
{
    /// <summary>
    /// Each run's last value of each metric (the value at its highest step; NULL when that value was not finite), kept by
    /// triggers on run_metrics, so every writer (LogMetrics, DeleteRun, a bulk insert straight into the table) updates it
    /// in the same transaction as the points. Filters on a metric (<see cref="RunQuery.Filter"/>) then seek each run's
    /// row in this small table instead of its last point among all the points: 10,000 runs of 100 points made the run list
    /// filtered on a metric the one dashboard page over its time budget. The trigger bodies
    /// use no "OR REPLACE": SQLite lets the outer statement's conflict handling override a trigger's, so each body deletes
    /// the pair's row and inserts the recomputed one.
    /// </summary>
    private const string LastMetricsSchema = """
        CREATE TABLE IF NOT EXISTS run_last_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, step INTEGER NOT NULL, value REAL,
            PRIMARY KEY (run_id, key)) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS run_metrics_last_on_insert AFTER INSERT ON run_metrics BEGIN
            INSERT INTO run_last_metrics (run_id, key, step, value) VALUES (NEW.run_id, NEW.key, NEW.step, NEW.value)
            ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value WHERE excluded.step >= run_last_metrics.step;
        END;
        CREATE TRIGGER IF NOT EXISTS run_metrics_last_on_update AFTER UPDATE ON run_metrics BEGIN
            DELETE FROM run_last_metrics WHERE (run_id = OLD.run_id AND key = OLD.key) OR (run_id = NEW.run_id AND key = NEW.key);
            INSERT INTO run_last_metrics (run_id, key, step, value)
                SELECT run_id, key, step, value FROM run_metrics WHERE run_id = OLD.run_id AND key = OLD.key ORDER BY step DESC LIMIT 1;
            INSERT INTO run_last_metrics (run_id, key, step, value)
                SELECT run_id, key, step, value FROM run_metrics WHERE run_id = NEW.run_id AND key = NEW.key
                    AND (NEW.run_id IS NOT OLD.run_id OR NEW.key IS NOT OLD.key) ORDER BY step DESC LIMIT 1;
        END;
        CREATE TRIGGER IF NOT EXISTS run_metrics_last_on_delete AFTER DELETE ON run_metrics BEGIN
            DELETE FROM run_last_metrics WHERE run_id = OLD.run_id AND key = OLD.key;
            INSERT INTO run_last_metrics (run_id, key, step, value)
                SELECT run_id, key, step, value FROM run_metrics WHERE run_id = OLD.run_id AND key = OLD.key ORDER BY step DESC LIMIT 1;
        END;
        """;

    // Version 1 → 2: run_last_metrics, filled from the points already stored (the same "highest step" rule as the
    // triggers), in the transaction that bumps the version. A new file (0) has no points to copy.
    private static void Migrate(SqliteConnection connection, SqliteTransaction transaction, int from)
    {
        if (from is 0 or >= 2)
            return;
        Execute(connection, transaction, LastMetricsSchema);
        Execute(connection, transaction, """
            INSERT INTO run_last_metrics (run_id, key, step, value)
            SELECT m.run_id, m.key, m.step, m.value FROM run_metrics m
            JOIN (SELECT run_id, key, MAX(step) AS step FROM run_metrics GROUP BY run_id, key) last
                ON last.run_id = m.run_id AND last.key = m.key AND last.step = m.step
            """);
    }
}
