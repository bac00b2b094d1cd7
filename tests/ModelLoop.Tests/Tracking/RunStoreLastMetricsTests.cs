using System.Globalization;
using Microsoft.Data.Sqlite;
using ModelLoop.Tests.Training;
using ModelLoop.Tracking;

namespace ModelLoop.Tests.Tracking;

/// <summary>
/// Metric filters read each run's last value from run_last_metrics; these check it against the points themselves (the
/// value at the highest step, from GetMetrics), however the points were written: out of step order, overwritten,
/// not finite, deleted, or stored by a ModelLoop from before the table existed.
/// </summary>
public sealed class RunStoreLastMetricsTests : IDisposable
{
    private static readonly string[] Operators = ["=", "!=", ">", ">=", "<", "<="];
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public void Every_comparison_on_a_metric_matches_the_runs_whose_point_at_the_highest_step_satisfies_it()
    {
        var store = new RunStore(_folder.File("home"));
        var random = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var id = store.StartRun("run");
            // Steps in shuffled order, some written twice, a few values not finite: the last value is the one at the highest step.
            foreach (var step in Enumerable.Range(0, 1 + random.Next(6)).OrderBy(_ => random.Next()).ToList())
            {
                store.LogMetrics(id, step, Point(random));
                if (random.Next(4) == 0)
                    store.LogMetrics(id, step, Point(random));
            }
        }

        AssertFiltersAgreeWithThePoints(store, random);
    }

    [Fact]
    public void A_store_written_before_the_last_values_table_existed_is_upgraded_and_filters_alike()
    {
        var home = _folder.File("old-home");
        var random = new Random(11);
        var ids = WriteVersionOneStore(home, random);

        // The read-only open used by `runs list` and the dashboard upgrades the file; its runs keep their last values.
        var store = RunStore.OpenExisting(home);

        AssertFiltersAgreeWithThePoints(store, random);
        Assert.Equal(ids.Count, store.Search(new RunQuery { Limit = 1000 }).Total);
        // A metric logged after the upgrade keeps the table current for an old run.
        store.LogMetrics(ids[0], 1_000, new Dictionary<string, double> { ["accuracy"] = 123.5 });
        Assert.Equal([ids[0]], store.Search(new RunQuery { Filter = "metrics.accuracy = 123.5" }).Runs.Select(r => r.Id));
    }

    [Fact]
    public void Rewriting_the_last_step_with_a_smaller_value_moves_the_run_out_of_a_filter()
    {
        var store = new RunStore(_folder.File("home"));
        var id = store.StartRun("run");
        store.LogMetrics(id, 5, new Dictionary<string, double> { ["accuracy"] = 0.9 });
        store.LogMetrics(id, 3, new Dictionary<string, double> { ["accuracy"] = 0.1 }); // an earlier step, written later
        var before = store.Search(new RunQuery { Filter = "metrics.accuracy > 0.5" }).Total;

        store.LogMetrics(id, 5, new Dictionary<string, double> { ["accuracy"] = 0.2 });

        Assert.Equal(1, before);
        Assert.Equal(0, store.Search(new RunQuery { Filter = "metrics.accuracy > 0.5" }).Total);
        Assert.Equal(0.2, store.GetRun(id).LastMetrics["accuracy"]);
    }

    [Fact]
    public void A_deleted_run_leaves_no_last_values_behind()
    {
        var store = new RunStore(_folder.File("home"));
        var kept = store.StartRun("kept");
        var deleted = store.StartRun("deleted");
        foreach (var id in new[] { kept, deleted })
            store.LogMetrics(id, 1, new Dictionary<string, double> { ["loss"] = 1 });

        store.DeleteRun(deleted);

        Assert.Equal([kept], store.Search(new RunQuery { Filter = "metrics.loss = 1" }).Runs.Select(r => r.Id));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(store.Home, "runs.db")}");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM run_last_metrics WHERE run_id = $id";
        count.Parameters.AddWithValue("$id", deleted);
        Assert.Equal(0L, (long)count.ExecuteScalar()!);
    }

    private static Dictionary<string, double> Point(Random random)
    {
        var values = new Dictionary<string, double>();
        if (random.Next(5) != 0)
            values["accuracy"] = random.Next(8) == 0 ? double.NaN : Math.Round(random.NextDouble(), 1); // rounded: ties with the threshold happen
        if (random.Next(3) != 0)
            values["loss"] = random.Next(10) == 0 ? double.PositiveInfinity : Math.Round(random.NextDouble() * 2, 1);
        return values;
    }

    // Each operator on each metric at a few thresholds: Search returns exactly the runs whose last finite value compares true.
    private static void AssertFiltersAgreeWithThePoints(RunStore store, Random random)
    {
        var all = store.Search(new RunQuery { Limit = 1000 }).Runs;
        var last = all.ToDictionary(r => r.Id, r => store.GetMetrics(r.Id).ToDictionary(m => m.Key, m => m.Value.MaxBy(p => p.Step)!.Value));
        foreach (var key in new[] { "accuracy", "loss" })
        {
            foreach (var op in Operators)
            {
                var threshold = Math.Round(random.NextDouble(), 1);
                var filter = FormattableString.Invariant($"metrics.{key} {op} {threshold}");
                var expected = all.Where(r => last[r.Id].TryGetValue(key, out var v) && !double.IsNaN(v) && Compare(v, op, threshold)).Select(r => r.Id).ToList();

                var page = store.Search(new RunQuery { Filter = filter, Limit = 1000 });

                Assert.True(expected.SequenceEqual(page.Runs.Select(r => r.Id)), $"{filter}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", page.Runs.Select(r => r.Id))}]");
                Assert.Equal(expected.Count, page.Total);
            }
        }
        // The last values shown with each run are the same points.
        foreach (var run in all)
            Assert.Equal(last[run.Id].OrderBy(p => p.Key), run.LastMetrics.OrderBy(p => p.Key));
    }

    private static bool Compare(double value, string op, double threshold) => op switch
    {
        "=" => value == threshold,
        "!=" => value != threshold,
        ">" => value > threshold,
        ">=" => value >= threshold,
        "<" => value < threshold,
        _ => value <= threshold,
    };

    // runs.db as schema version 1 wrote it (no run_last_metrics), with 30 runs of shuffled, partly non-finite (NULL) points.
    private static List<string> WriteVersionOneStore(string home, Random random)
    {
        Directory.CreateDirectory(home);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(home, "runs.db")}");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        Run(connection, transaction, """
            CREATE TABLE runs (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, started_utc TEXT NOT NULL, ended_utc TEXT,
                params_json TEXT NOT NULL, system_json TEXT NOT NULL, dataset_hash TEXT, error TEXT,
                host TEXT NOT NULL, pid INTEGER NOT NULL, process_start_utc TEXT NOT NULL, heartbeat_utc TEXT NOT NULL);
            CREATE TABLE run_metrics (
                run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, step INTEGER NOT NULL, value REAL, at_utc TEXT NOT NULL,
                PRIMARY KEY (run_id, key, step));
            CREATE TABLE run_artifacts (
                run_id TEXT NOT NULL REFERENCES runs(id), name TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT,
                PRIMARY KEY (run_id, name));
            CREATE INDEX runs_by_start ON runs (started_utc DESC, id DESC);
            PRAGMA user_version = 1;
            """);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = FormattableString.Invariant($"20260101-0000{i:D2}-abcdef");
            var time = new DateTimeOffset(2026, 1, 1, 0, 0, i, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);
            Run(connection, transaction, "INSERT INTO runs VALUES ($id, 'old', 'Finished', $t, $t, '{}', '{}', NULL, NULL, 'elsewhere', 1, $t, $t)", ("$id", id), ("$t", time));
            foreach (var step in Enumerable.Range(0, 1 + random.Next(5)).OrderBy(_ => random.Next()))
            {
                foreach (var (key, value) in Point(random))
                    Run(connection, transaction, "INSERT INTO run_metrics VALUES ($id, $k, $s, $v, $t)", ("$id", id), ("$k", key), ("$s", step), ("$v", double.IsFinite(value) ? value : null), ("$t", time));
            }
            ids.Add(id);
        }
        transaction.Commit();
        return ids;
    }

    private static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}
