using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using ModelLoop.Storage;
using static ModelLoop.Storage.SqliteDatabase;

namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// The retraining jobs of a home folder, in <c>retraining.db</c> (SQLite, WAL, synchronous=FULL through
/// <see cref="SqliteDatabase"/>): each job's request, state, champion and challenger versions, comparison and decision,
/// and every step it took. Each change is one transaction that moves the state only from the state the caller expects
/// (compare-and-set), so a job killed at any moment is found whole in its last recorded state and resumes from there.
/// </summary>
public sealed class RetrainingStore
{
    private const int SchemaVersion = 1;
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, model TEXT NOT NULL, trigger TEXT NOT NULL, reason TEXT NOT NULL,
            mode TEXT NOT NULL, state TEXT NOT NULL, request_json TEXT NOT NULL, champion_version INTEGER NOT NULL,
            challenger_version INTEGER, comparison_json TEXT, decision TEXT, created_utc TEXT NOT NULL, updated_utc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS jobs_by_model ON jobs (model, id);
        CREATE TABLE IF NOT EXISTS steps (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL REFERENCES jobs(id),
            state TEXT NOT NULL, message TEXT NOT NULL, at_utc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS steps_by_job ON steps (job_id, id);
        """;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly SqliteDatabase _db;

    /// <param name="home">Folder of retraining.db. Defaults to <see cref="ModelLoopHome.Resolve"/>.</param>
    public RetrainingStore(string? home = null)
    {
        Home = ModelLoopHome.Resolve(home);
        _db = new SqliteDatabase(Path.Combine(Home, "retraining.db"), Schema, SchemaVersion);
    }

    public string Home { get; }

    /// <summary>Records a new Pending job and its first step.</summary>
    public RetrainingJobRecord Create(RetrainingRequest request, RetrainMode mode, int championVersion, string reason) => _db.Write((c, t) =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = Now();
        var key = Guid.NewGuid().ToString("N")[..12];
        Execute(c, t, """
            INSERT INTO jobs (key, model, trigger, reason, mode, state, request_json, champion_version, created_utc, updated_utc)
            VALUES ($key, $model, $trigger, $reason, $mode, $state, $request, $champion, $now, $now)
            """, ("$key", key), ("$model", request.Model), ("$trigger", request.Trigger.ToString()), ("$reason", reason), ("$mode", mode.ToString()),
            ("$state", RetrainingJobState.Pending.ToString()), ("$request", JsonSerializer.Serialize(request, Json)), ("$champion", championVersion), ("$now", now));
        var id = (long)Scalar(c, t, "SELECT last_insert_rowid()")!;
        AddStep(c, t, id, RetrainingJobState.Pending, $"Job {id} ({mode}) for '{request.Model}': {reason} Champion v{championVersion}.", now);
        return Read(c, t, id)!;
    });

    /// <exception cref="KeyNotFoundException">No such job.</exception>
    public RetrainingJobRecord Get(long id) => _db.Read(c => Read(c, null, id))
        ?? throw new KeyNotFoundException($"There is no retraining job {id} in {Home}. List the jobs of a model with RetrainingStore.List.");

    /// <summary>The model's jobs, oldest first.</summary>
    public IReadOnlyList<RetrainingJobRecord> List(string model) => _db.Read(c =>
        Query(c, null, "SELECT id FROM jobs WHERE model = $m ORDER BY id", r => r.GetInt64(0), ("$m", model)).Select(id => Read(c, null, id)!).ToList());

    /// <summary>The model's latest job, or null.</summary>
    public RetrainingJobRecord? Latest(string model) => _db.Read(c =>
        Scalar(c, null, "SELECT MAX(id) FROM jobs WHERE model = $m", ("$m", model)) is long id ? Read(c, null, id) : null);

    /// <summary>The job's steps, oldest first.</summary>
    public IReadOnlyList<RetrainingStep> Steps(long id) => _db.Read(c => Query(c, null,
        "SELECT job_id, state, message, at_utc FROM steps WHERE job_id = $id ORDER BY id",
        r => new RetrainingStep(r.GetInt64(0), Enum.Parse<RetrainingJobState>(r.GetString(1)), r.GetString(2), ParseTime(r.GetString(3))), ("$id", id)));

    /// <summary>Records a step without changing the state.</summary>
    public void Note(long id, string message) => _db.Write((c, t) =>
    {
        var state = Scalar(c, t, "SELECT state FROM jobs WHERE id = $id", ("$id", id)) as string
            ?? throw new KeyNotFoundException($"There is no retraining job {id} in {Home}.");
        AddStep(c, t, id, Enum.Parse<RetrainingJobState>(state), message, Now());
        return 0;
    });

    /// <summary>
    /// Moves the job from <paramref name="from"/> to <paramref name="to"/> with a step, in one transaction, setting the
    /// challenger, comparison or decision when given.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job is no longer in <paramref name="from"/> (another process moved it); nothing changed.</exception>
    public RetrainingJobRecord Advance(long id, RetrainingJobState from, RetrainingJobState to, string message,
        int? challengerVersion = null, string? comparisonJson = null, string? decision = null) => _db.Write((c, t) =>
    {
        var now = Now();
        var changed = Execute(c, t, """
            UPDATE jobs SET state = $to, updated_utc = $now,
                challenger_version = COALESCE($challenger, challenger_version),
                comparison_json = COALESCE($comparison, comparison_json),
                decision = COALESCE($decision, decision)
            WHERE id = $id AND state = $from
            """, ("$to", to.ToString()), ("$now", now), ("$challenger", challengerVersion), ("$comparison", comparisonJson), ("$decision", decision),
            ("$id", id), ("$from", from.ToString()));
        if (changed != 1)
        {
            var actual = Scalar(c, t, "SELECT state FROM jobs WHERE id = $id", ("$id", id)) as string ?? "absent";
            throw new InvalidOperationException($"Retraining job {id} was expected in state {from} but is {actual}; another process is running it or already finished it. See its steps (RetrainingStore.Steps).");
        }
        AddStep(c, t, id, to, message, now);
        return Read(c, t, id)!;
    });

    /// <summary>PRAGMA integrity_check: "ok" when sound.</summary>
    public string CheckIntegrity() => _db.IntegrityCheck();

    private static void AddStep(SqliteConnection c, SqliteTransaction t, long id, RetrainingJobState state, string message, string now) =>
        Execute(c, t, "INSERT INTO steps (job_id, state, message, at_utc) VALUES ($id, $state, $message, $now)",
            ("$id", id), ("$state", state.ToString()), ("$message", message), ("$now", now));

    private static RetrainingJobRecord? Read(SqliteConnection c, SqliteTransaction? t, long id) => Query(c, t, """
        SELECT id, key, model, trigger, reason, mode, state, request_json, champion_version, challenger_version, comparison_json, decision, created_utc, updated_utc
        FROM jobs WHERE id = $id
        """, r => new RetrainingJobRecord(
            r.GetInt64(0), r.GetString(1), r.GetString(2), Enum.Parse<RetrainTrigger>(r.GetString(3)), r.GetString(4),
            Enum.Parse<RetrainMode>(r.GetString(5)), Enum.Parse<RetrainingJobState>(r.GetString(6)),
            JsonSerializer.Deserialize<RetrainingRequest>(r.GetString(7), Json)!,
            r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt32(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11),
            ParseTime(r.GetString(12)), ParseTime(r.GetString(13))), ("$id", id)).FirstOrDefault();
}
