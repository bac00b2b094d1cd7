using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static ModelLoop.Storage.SqliteDatabase;
using ModelLoop.Storage;

namespace ModelLoop.Tracking;

/// <summary>
/// Tracked training runs in <c>runs.db</c> (SQLite, WAL) under the home folder (<see cref="ModelLoopHome"/>):
/// parameters, system info, dataset manifest hash, metrics per epoch or step, artifacts, and status. Every
/// call is one short transaction, so a trainer logging and a server or CLI reading never wait long, and a
/// process killed mid-write leaves each write all there or not there. A run whose process died without
/// ending it is reported as <see cref="RunStatus.Killed"/>: by a process check on the same machine, by a
/// stale heartbeat (<see cref="StaleAfter"/>) elsewhere. Usually fed by <c>RunTracker</c>.
/// </summary>
public sealed partial class RunStore
{
    /// <summary>The schema version of runs.db: 2 added run_last_metrics (each run's last value per metric, for filters).</summary>
    private const int SchemaVersion = 2;
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, started_utc TEXT NOT NULL, ended_utc TEXT,
            params_json TEXT NOT NULL, system_json TEXT NOT NULL, dataset_hash TEXT, error TEXT,
            host TEXT NOT NULL, pid INTEGER NOT NULL, process_start_utc TEXT NOT NULL, heartbeat_utc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS run_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, step INTEGER NOT NULL, value REAL, at_utc TEXT NOT NULL,
            PRIMARY KEY (run_id, key, step));
        CREATE TABLE IF NOT EXISTS run_artifacts (
            run_id TEXT NOT NULL REFERENCES runs(id), name TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT,
            PRIMARY KEY (run_id, name));
        CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_utc DESC, id DESC);
        """ + LastMetricsSchema;

    private readonly SqliteDatabase _db;

    /// <param name="home">Folder for runs.db. Defaults to <see cref="ModelLoopHome.Resolve"/>.</param>
    public RunStore(string? home = null)
    {
        Home = ModelLoopHome.Resolve(home);
        _db = new SqliteDatabase(Path.Combine(Home, "runs.db"), Schema, SchemaVersion, Migrate);
    }

    private RunStore(string home, SqliteDatabase db)
    {
        Home = home;
        _db = db;
    }

    /// <summary>
    /// Opens the run store in <paramref name="home"/> only if it exists, creating nothing: for commands that only read
    /// (<c>runs list|show|compare</c>), so looking does not leave an empty store behind.
    /// </summary>
    /// <param name="home">Folder of runs.db. Defaults to <see cref="ModelLoopHome.Resolve"/>.</param>
    /// <exception cref="FileNotFoundException">There is no runs.db in the folder; the message says how runs get recorded.</exception>
    public static RunStore OpenExisting(string? home = null)
    {
        var folder = ModelLoopHome.Resolve(home);
        var path = Path.Combine(folder, "runs.db");
        var db = SqliteDatabase.OpenExisting(path, SchemaVersion)
            ?? throw new FileNotFoundException(
                $"No run store at {folder} (no runs.db there). 'modelloop train' and 'modelloop demo' record their runs there; " +
                $"or point --home (or ${ModelLoopHome.EnvironmentVariable}) at the folder that holds the runs.", path);
        // A file of an older ModelLoop is upgraded in place (the same all-or-nothing migration a writer runs), since the
        // reads below need its run_last_metrics table; a current file is only read.
        if (db.Read(c => Convert.ToInt32(Scalar(c, null, "PRAGMA user_version;"), CultureInfo.InvariantCulture)) < SchemaVersion)
            db = new SqliteDatabase(path, Schema, SchemaVersion, Migrate);
        return new RunStore(folder, db);
    }

    public string Home { get; }

    /// <summary>
    /// A running run on another machine with no heartbeat for this long counts as killed. Defaults to 10
    /// minutes; <c>RunTracker</c> beats at least every 30 seconds while batches run.
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Starts a run owned by this process and returns its id (sortable: start time, then random).</summary>
    public string StartRun(string name, IReadOnlyDictionary<string, string>? parameters = null, string? datasetManifestHash = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var id = FormattableString.Invariant($"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}"); // Gregorian digits in any culture, so ids sort by time
        using var self = Process.GetCurrentProcess();
        _db.Write((c, t) => Execute(c, t, """
            INSERT INTO runs (id, name, status, started_utc, params_json, system_json, dataset_hash, host, pid, process_start_utc, heartbeat_utc)
            VALUES ($id, $name, 'Running', $now, $params, $system, $data, $host, $pid, $pstart, $now)
            """, ("$id", id), ("$name", name), ("$now", Now()), ("$params", JsonSerializer.Serialize(parameters ?? new Dictionary<string, string>())),
            ("$system", JsonSerializer.Serialize(SystemInfo())), ("$data", datasetManifestHash), ("$host", Environment.MachineName),
            ("$pid", Environment.ProcessId), ("$pstart", ProcessStart(self))));
        return id;
    }

    /// <summary>Records several metric values at one step in one transaction (all or none), and beats the heartbeat.</summary>
    public void LogMetrics(string runId, long step, IReadOnlyDictionary<string, double> values) => _db.Write((c, t) =>
    {
        RequireRun(c, t, runId);
        var now = Now();
        foreach (var (key, value) in values)
        {
            Execute(c, t, "INSERT INTO run_metrics (run_id, key, step, value, at_utc) VALUES ($id, $k, $s, $v, $now) ON CONFLICT (run_id, key, step) DO UPDATE SET value = $v, at_utc = $now",
                ("$id", runId), ("$k", key), ("$s", step), ("$v", double.IsFinite(value) ? value : null), ("$now", now));
        }
        Execute(c, t, "UPDATE runs SET heartbeat_utc = $now WHERE id = $id", ("$id", runId), ("$now", now));
        return 0;
    });

    /// <summary>Adds parameters to a run (e.g. ones known only once training starts); existing keys are replaced.</summary>
    public void LogParameters(string runId, IReadOnlyDictionary<string, string> parameters) => _db.Write((c, t) =>
    {
        RequireRun(c, t, runId);
        var current = JsonSerializer.Deserialize<Dictionary<string, string>>((string)Scalar(c, t, "SELECT params_json FROM runs WHERE id = $id", ("$id", runId))!)!;
        foreach (var (key, value) in parameters)
            current[key] = value;
        return Execute(c, t, "UPDATE runs SET params_json = $p WHERE id = $id", ("$id", runId), ("$p", JsonSerializer.Serialize(current)));
    });

    /// <summary>Records a file or folder the run produced.</summary>
    public void LogArtifact(string runId, string name, string path, string? sha256 = null) => _db.Write((c, t) =>
    {
        RequireRun(c, t, runId);
        return Execute(c, t, "INSERT INTO run_artifacts (run_id, name, path, sha256) VALUES ($id, $n, $p, $sha) ON CONFLICT (run_id, name) DO UPDATE SET path = $p, sha256 = $sha",
            ("$id", runId), ("$n", name), ("$p", Path.GetFullPath(path)), ("$sha", sha256));
    });

    /// <summary>Says the run's process is alive.</summary>
    public void Heartbeat(string runId) =>
        _db.Write((c, t) => Execute(c, t, "UPDATE runs SET heartbeat_utc = $now WHERE id = $id", ("$id", runId), ("$now", Now())));

    /// <summary>Ends a run as finished, failed (with the error) or killed.</summary>
    public void EndRun(string runId, RunStatus status, string? error = null)
    {
        if (status == RunStatus.Running)
            throw new ArgumentException("EndRun needs a final status: Finished, Failed or Killed; received Running.", nameof(status));
        _db.Write((c, t) =>
        {
            RequireRun(c, t, runId);
            return Execute(c, t, "UPDATE runs SET status = $s, ended_utc = $now, error = $e WHERE id = $id",
                ("$id", runId), ("$s", status.ToString()), ("$now", Now()), ("$e", error));
        });
    }

    /// <summary>
    /// Takes over a run that a killed process left (a training resumed from its checkpoint): it is running
    /// again, owned by this process.
    /// </summary>
    public void ReopenRun(string runId)
    {
        using var self = Process.GetCurrentProcess();
        _db.Write((c, t) =>
        {
            RequireRun(c, t, runId);
            return Execute(c, t, "UPDATE runs SET status = 'Running', ended_utc = NULL, error = NULL, host = $host, pid = $pid, process_start_utc = $pstart, heartbeat_utc = $now WHERE id = $id",
                ("$id", runId), ("$host", Environment.MachineName), ("$pid", Environment.ProcessId), ("$pstart", ProcessStart(self)), ("$now", Now()));
        });
    }

    /// <summary>Removes a run with its metrics and artifact records (not the files).</summary>
    public void DeleteRun(string runId) => _db.Write((c, t) =>
    {
        foreach (var table in new[] { "run_metrics", "run_artifacts" })
            Execute(c, t, $"DELETE FROM {table} WHERE run_id = $id", ("$id", runId));
        return Execute(c, t, "DELETE FROM runs WHERE id = $id", ("$id", runId));
    });

    /// <summary>A run by id or by a unique prefix of it; runs whose process died are marked killed first.</summary>
    public RunRecord GetRun(string idOrPrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrPrefix);
        MarkDeadRunsKilled();
        return _db.Read(c =>
        {
            var ids = Query(c, null, "SELECT id FROM runs WHERE substr(id, 1, length($p)) = $p ORDER BY id", r => r.GetString(0), ("$p", idOrPrefix));
            var id = ids.Contains(idOrPrefix) ? idOrPrefix : ids.Count switch
            {
                1 => ids[0],
                0 => throw new KeyNotFoundException($"No run '{idOrPrefix}' in {_db.Path}. List runs with `modelloop runs list`."),
                _ => throw new KeyNotFoundException($"Run prefix '{idOrPrefix}' matches {ids.Count} runs ({string.Join(", ", ids.Take(5))}…); give more of the id."),
            };
            return ReadRuns(c, "WHERE id = $id", ("$id", id)).Single();
        });
    }

    /// <summary>Runs, newest first (at most <paramref name="limit"/>); runs whose process died are marked killed first.</summary>
    public IReadOnlyList<RunRecord> ListRuns(int limit = 100)
    {
        MarkDeadRunsKilled();
        return _db.Read(c => ReadRuns(c, "ORDER BY started_utc DESC, id DESC LIMIT $limit", ("$limit", limit)));
    }

    /// <summary>Every metric of a run: key → points in step order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> GetMetrics(string runId) => _db.Read(c =>
        Query(c, null, "SELECT key, step, value, at_utc FROM run_metrics WHERE run_id = $id ORDER BY key, step",
                r => (Key: r.GetString(0), Point: new MetricPoint(r.GetInt64(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2), ParseTime(r.GetString(3)))), ("$id", runId))
            .GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<MetricPoint>)g.Select(p => p.Point).ToList()));

    /// <summary>
    /// Marks as killed every running run whose process is gone: on this machine by process id and start
    /// time (so a reused pid is not mistaken for the run), elsewhere by a heartbeat older than <see cref="StaleAfter"/>.
    /// Returns how many were marked.
    /// </summary>
    public int MarkDeadRunsKilled()
    {
        var running = _db.Read(c => Query(c, null, "SELECT id, host, pid, process_start_utc, heartbeat_utc FROM runs WHERE status = 'Running'",
            r => (Id: r.GetString(0), Host: r.GetString(1), Pid: r.GetInt32(2), Start: r.GetString(3), Beat: ParseTime(r.GetString(4)))));
        var dead = running.Where(r => r.Host == Environment.MachineName ? !IsAlive(r.Pid, r.Start) : DateTimeOffset.UtcNow - r.Beat > StaleAfter).ToList();
        foreach (var run in dead)
        {
            _db.Write((c, t) => Execute(c, t, "UPDATE runs SET status = 'Killed', ended_utc = heartbeat_utc, error = $e WHERE id = $id AND status = 'Running'",
                ("$id", run.Id), ("$e", "The process ended without finishing the run (killed or crashed); last sign of life at the heartbeat time.")));
        }
        return dead.Count;
    }

    /// <summary>SQLite's integrity check of runs.db: "ok" when sound.</summary>
    public string CheckIntegrity() => _db.IntegrityCheck();

    private List<RunRecord> ReadRuns(SqliteConnection c, string where, params (string, object?)[] parameters) =>
        Query(c, null, $"SELECT id, name, status, started_utc, ended_utc, params_json, system_json, dataset_hash, error, host, pid FROM runs {where}", r => (
            Id: r.GetString(0), Name: r.GetString(1), Status: Enum.Parse<RunStatus>(r.GetString(2)), Started: ParseTime(r.GetString(3)),
            Ended: r.IsDBNull(4) ? (DateTimeOffset?)null : ParseTime(r.GetString(4)),
            Params: JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5))!, System: JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(6))!,
            Data: r.IsDBNull(7) ? null : r.GetString(7), Error: r.IsDBNull(8) ? null : r.GetString(8), Host: r.GetString(9), Pid: r.GetInt32(10)), parameters)
        .Select(r => new RunRecord(r.Id, r.Name, r.Status, r.Started, r.Ended, r.Params, r.System, r.Data, r.Error, r.Host, r.Pid,
            LastMetrics(c, r.Id), Query(c, null, "SELECT name, path, sha256 FROM run_artifacts WHERE run_id = $id ORDER BY name",
                a => new RunArtifact(a.GetString(0), a.GetString(1), a.IsDBNull(2) ? null : a.GetString(2)), ("$id", r.Id))))
        .ToList();

    private static Dictionary<string, double> LastMetrics(SqliteConnection c, string runId) =>
        Query(c, null, "SELECT key, value FROM run_last_metrics WHERE run_id = $id ORDER BY key",
            r => (r.GetString(0), r.IsDBNull(1) ? double.NaN : r.GetDouble(1)), ("$id", runId)).ToDictionary(p => p.Item1, p => p.Item2);

    private static void RequireRun(SqliteConnection c, SqliteTransaction t, string runId)
    {
        if (Scalar(c, t, "SELECT 1 FROM runs WHERE id = $id", ("$id", runId)) is null)
            throw new KeyNotFoundException($"No run '{runId}' in the run store; start it with StartRun first.");
    }

    private static bool IsAlive(int pid, string processStart)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // Start times are derived from boot time and clock ticks, so two readings may differ slightly;
            // a reused pid belongs to a process started later, well beyond this tolerance.
            return !process.HasExited && Math.Abs((ParseTime(ProcessStart(process)) - ParseTime(processStart)).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string ProcessStart(Process process) =>
        new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> SystemInfo() => new()
    {
        ["host"] = Environment.MachineName,
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["architecture"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString(),
        ["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        ["dotnet"] = Environment.Version.ToString(),
        ["modelloop"] = typeof(RunStore).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["user"] = Environment.UserName,
    };
}
