using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ModelLoop.Storage;
using static ModelLoop.Storage.SqliteDatabase;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Studies and their trials in one SQLite file (WAL, synchronous FULL, every change one IMMEDIATE transaction through
/// <see cref="SqliteDatabase"/>): a finished trial is on disk before the next one starts, so a worker killed with
/// <c>kill -9</c> loses only the trial it was running, and several worker processes can share one study — trial
/// numbers are allocated, and the sampler reads every trial, inside the transaction that starts the trial.
/// </summary>
public sealed class StudyStorage
{
    private const int SchemaVersion = 1;
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS studies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            direction TEXT NOT NULL,
            metric TEXT NOT NULL,
            space TEXT NOT NULL,
            created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS trials (
            id INTEGER PRIMARY KEY,
            study_id INTEGER NOT NULL REFERENCES studies(id),
            number INTEGER NOT NULL,
            state TEXT NOT NULL,
            params TEXT NOT NULL,
            value REAL,
            error TEXT,
            worker TEXT NOT NULL,
            heartbeat TEXT NOT NULL,
            run_id TEXT,
            package TEXT,
            started TEXT NOT NULL,
            finished TEXT,
            abandoned INTEGER NOT NULL DEFAULT 0,
            UNIQUE (study_id, number));
        CREATE TABLE IF NOT EXISTS intermediate (
            trial_id INTEGER NOT NULL REFERENCES trials(id),
            step INTEGER NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (trial_id, step));
        """;

    private readonly SqliteDatabase _db;

    /// <summary>Opens (creating when absent) the study database at <paramref name="path"/>.</summary>
    public StudyStorage(string path) => _db = new SqliteDatabase(path, Schema, SchemaVersion);

    private StudyStorage(SqliteDatabase db) => _db = db;

    /// <summary>The default file of a ModelLoop home: HOME/studies.db.</summary>
    public static string DefaultPath(string? home) => System.IO.Path.Combine(ModelLoopHome.Resolve(home), "studies.db");

    /// <summary>Opens an existing database without creating anything; null when there is none.</summary>
    public static StudyStorage? OpenExisting(string path) => SqliteDatabase.OpenExisting(path, SchemaVersion) is { } db ? new StudyStorage(db) : null;

    public string Path => _db.Path;

    /// <summary>Creates the study, or returns the stored one of that name when its direction, metric and space match.</summary>
    /// <exception cref="ArgumentException">A study of that name exists with another direction, metric or space; the message says which.</exception>
    public StudyInfo CreateOrOpen(string name, StudyDirection direction, string metric, SearchSpace space)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var spaceJson = space.ToJson();
        return _db.Write((c, t) =>
        {
            if (Find(c, t, name) is { } existing)
            {
                if (existing.Direction != direction || existing.Metric != metric)
                    throw new ArgumentException($"The study '{name}' exists with {existing.Direction} {existing.Metric}; received {direction} {metric}. Resume it with the same --metric and --direction, or choose another --study name.");
                if (existing.Space != spaceJson)
                    throw new ArgumentException($"The study '{name}' exists with another search space (stored: {existing.Space}). Resume it with the same space, or choose another --study name.");
                return existing;
            }
            var now = Now();
            Execute(c, t, "INSERT INTO studies (name, direction, metric, space, created) VALUES ($n, $d, $m, $s, $c)",
                ("$n", name), ("$d", direction.ToString()), ("$m", metric), ("$s", spaceJson), ("$c", now));
            return Find(c, t, name)!;
        });
    }

    /// <summary>The study of that name, or null.</summary>
    public StudyInfo? Find(string name) => _db.Read(c => Find(c, null, name));

    public IReadOnlyList<StudyInfo> ListStudies() => _db.Read(c => Query(c, null, "SELECT id, name, direction, metric, space, created FROM studies ORDER BY id", ReadStudy));

    /// <summary>Every trial of the study, by number, with its intermediate values.</summary>
    public IReadOnlyList<TrialRecord> GetTrials(long studyId) => _db.Read(c => Trials(c, null, studyId));

    /// <summary>
    /// In one IMMEDIATE transaction: marks RUNNING trials whose heartbeat is older than <paramref name="staleAfter"/>
    /// as failed (abandoned), counts the trials that use the budget, and — when fewer than <paramref name="maxTrials"/> —
    /// asks <paramref name="sample"/> for the values of the next trial number given every trial so far, and inserts it
    /// RUNNING. Returns null when the budget is spent or the sampler has nothing left (a finished grid).
    /// </summary>
    public TrialRecord? StartTrial(long studyId, string worker, int maxTrials, TimeSpan staleAfter,
        Func<IReadOnlyList<TrialRecord>, int, IReadOnlyDictionary<string, JsonNode?>?> sample) => _db.Write((c, t) =>
    {
        FailStale(c, t, studyId, staleAfter);
        var trials = Trials(c, t, studyId);
        if (trials.Count(x => !x.Abandoned) >= maxTrials)
            return null;
        var number = trials.Count == 0 ? 0 : trials.Max(x => x.Number) + 1;
        var values = sample(trials, number);
        if (values is null)
            return null;
        var now = Now();
        var json = new JsonObject();
        foreach (var (path, value) in values)
            json[path] = value?.DeepClone();
        Execute(c, t, """
            INSERT INTO trials (study_id, number, state, params, worker, heartbeat, started)
            VALUES ($s, $n, 'Running', $p, $w, $h, $h)
            """, ("$s", studyId), ("$n", number), ("$p", json.ToJsonString()), ("$w", worker), ("$h", now));
        return Trials(c, t, studyId).Single(x => x.Number == number);
    });

    /// <summary>Stores the value reported at <paramref name="step"/> and refreshes the heartbeat.</summary>
    public void Report(long trialId, int step, double value) => _db.Write((c, t) =>
    {
        Execute(c, t, "INSERT OR REPLACE INTO intermediate (trial_id, step, value) VALUES ($t, $s, $v)", ("$t", trialId), ("$s", step), ("$v", value));
        return Execute(c, t, "UPDATE trials SET heartbeat = $h WHERE id = $t", ("$h", Now()), ("$t", trialId));
    });

    /// <summary>Refreshes a running trial's heartbeat.</summary>
    public void Heartbeat(long trialId) =>
        _db.Write((c, t) => Execute(c, t, "UPDATE trials SET heartbeat = $h WHERE id = $t AND state = 'Running'", ("$h", Now()), ("$t", trialId)));

    /// <summary>Records a trial's end. A trial already marked failed as abandoned (its heartbeat went stale) stays so.</summary>
    public void Finish(long trialId, TrialState state, double? value, string? error = null, string? runId = null, string? package = null)
    {
        if (state == TrialState.Running)
            throw new ArgumentException("Finish needs Complete, Pruned or Fail; received Running.", nameof(state));
        _db.Write((c, t) => Execute(c, t, """
            UPDATE trials SET state = $st, value = $v, error = $e, run_id = $r, package = $p, finished = $f, heartbeat = $f
            WHERE id = $t AND state = 'Running'
            """, ("$st", state.ToString()), ("$v", value is { } v && double.IsFinite(v) ? v : null), ("$e", error), ("$r", runId), ("$p", package),
            ("$f", Now()), ("$t", trialId)));
    }

    /// <summary>Marks RUNNING trials whose heartbeat is older than <paramref name="staleAfter"/> failed and abandoned; returns how many.</summary>
    public int FailStale(long studyId, TimeSpan staleAfter) => _db.Write((c, t) => FailStale(c, t, studyId, staleAfter));

    public string CheckIntegrity() => _db.IntegrityCheck();

    private static int FailStale(SqliteConnection c, SqliteTransaction t, long studyId, TimeSpan staleAfter)
    {
        var cutoff = DateTimeOffset.UtcNow - staleAfter;
        var stale = Query(c, t, "SELECT id, heartbeat, worker FROM trials WHERE study_id = $s AND state = 'Running'",
                r => (Id: r.GetInt64(0), Heartbeat: ParseTime(r.GetString(1)), Worker: r.GetString(2)), ("$s", studyId))
            .Where(x => x.Heartbeat < cutoff).ToList();
        foreach (var trial in stale)
            Execute(c, t, "UPDATE trials SET state = 'Fail', abandoned = 1, finished = $f, error = $e WHERE id = $t",
                ("$f", Now()), ("$t", trial.Id),
                ("$e", $"The worker {trial.Worker} stopped heartbeating (last at {trial.Heartbeat:O}); it was killed or hung. The trial is not counted against the study's trials."));
        return stale.Count;
    }

    private static StudyInfo? Find(SqliteConnection c, SqliteTransaction? t, string name) =>
        Query(c, t, "SELECT id, name, direction, metric, space, created FROM studies WHERE name = $n", ReadStudy, ("$n", name)).SingleOrDefault();

    private static StudyInfo ReadStudy(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), Enum.Parse<StudyDirection>(r.GetString(2)), r.GetString(3), r.GetString(4), ParseTime(r.GetString(5)));

    private static List<TrialRecord> Trials(SqliteConnection c, SqliteTransaction? t, long studyId)
    {
        var steps = new Dictionary<long, SortedDictionary<int, double>>();
        foreach (var (trial, step, value) in Query(c, t, """
            SELECT i.trial_id, i.step, i.value FROM intermediate i JOIN trials x ON x.id = i.trial_id WHERE x.study_id = $s
            """, r => (r.GetInt64(0), r.GetInt32(1), r.GetDouble(2)), ("$s", studyId)))
        {
            if (!steps.TryGetValue(trial, out var values))
                steps[trial] = values = [];
            values[step] = value;
        }
        return Query(c, t, """
            SELECT id, number, state, params, value, error, worker, heartbeat, run_id, package, started, finished, abandoned
            FROM trials WHERE study_id = $s ORDER BY number
            """, r => new TrialRecord
        {
            Id = r.GetInt64(0),
            Number = r.GetInt32(1),
            State = Enum.Parse<TrialState>(r.GetString(2)),
            Params = ((JsonObject)JsonNode.Parse(r.GetString(3))!).ToDictionary(p => p.Key, p => p.Value?.DeepClone()),
            Value = r.IsDBNull(4) ? null : r.GetDouble(4),
            Error = r.IsDBNull(5) ? null : r.GetString(5),
            Worker = r.GetString(6),
            Heartbeat = ParseTime(r.GetString(7)),
            RunId = r.IsDBNull(8) ? null : r.GetString(8),
            Package = r.IsDBNull(9) ? null : r.GetString(9),
            Started = ParseTime(r.GetString(10)),
            Finished = r.IsDBNull(11) ? null : ParseTime(r.GetString(11)),
            Abandoned = r.GetInt64(12) != 0,
            Intermediate = steps.TryGetValue(r.GetInt64(0), out var values) ? values : new SortedDictionary<int, double>(),
        }, ("$s", studyId));
    }
}
