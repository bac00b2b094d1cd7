using System.Text.Json;
using ModelLoop.Federated.Grains;
using ModelLoop.Storage;

namespace ModelLoop.Federated.Storage;

/// <summary>
/// Where coordinators persist their jobs: one SQLite file (<see cref="SqliteDatabase"/>), one transaction per finished
/// round holding the new global weights, the server momentum and the round's report, so a job is always at the end of
/// a finished round — a coordinator that crashes mid-round resumes from the round before.
/// </summary>
public sealed class FederatedJobStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS federated_jobs (
            job TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            round INTEGER NOT NULL,
            weights BLOB NOT NULL,
            momentum BLOB,
            updated TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS federated_rounds (
            job TEXT NOT NULL REFERENCES federated_jobs(job) ON DELETE CASCADE,
            round INTEGER NOT NULL,
            report TEXT NOT NULL,
            PRIMARY KEY (job, round));
        """;
    private readonly SqliteDatabase _db;

    public FederatedJobStore(string path) => _db = new SqliteDatabase(path, Schema, 1);

    public string Path => _db.Path;

    /// <summary>A persisted job: its spec, finished rounds, global weights, server momentum (FedAvgM) and reports.</summary>
    public sealed record Saved(FederatedJobSpec Spec, int Round, float[] Weights, float[]? Momentum, List<RoundReport> Reports);

    public Saved? Load(string job) => _db.Read(c =>
    {
        var rows = SqliteDatabase.Query(c, null, "SELECT spec, round, weights, momentum FROM federated_jobs WHERE job = $job",
            r => (Spec: r.GetString(0), Round: r.GetInt32(1), Weights: (byte[])r[2], Momentum: r.IsDBNull(3) ? null : (byte[])r[3]), ("$job", job));
        if (rows.Count == 0)
            return null;
        var reports = SqliteDatabase.Query(c, null, "SELECT report FROM federated_rounds WHERE job = $job ORDER BY round",
            r => JsonSerializer.Deserialize<RoundReport>(r.GetString(0))!, ("$job", job));
        var row = rows[0];
        return new Saved(JsonSerializer.Deserialize<FederatedJobSpec>(row.Spec)!, row.Round, Floats(row.Weights), row.Momentum is null ? null : Floats(row.Momentum), reports);
    });

    /// <summary>Saves the job at the end of round <paramref name="round"/> (0: created), with that round's report, in one transaction.</summary>
    public void Save(string job, FederatedJobSpec spec, int round, float[] weights, float[]? momentum, RoundReport? report) => _db.Write((c, t) =>
    {
        SqliteDatabase.Execute(c, t, """
            INSERT INTO federated_jobs (job, spec, round, weights, momentum, updated) VALUES ($job, $spec, $round, $weights, $momentum, $updated)
            ON CONFLICT(job) DO UPDATE SET spec = excluded.spec, round = excluded.round, weights = excluded.weights, momentum = excluded.momentum, updated = excluded.updated
            """,
            ("$job", job), ("$spec", JsonSerializer.Serialize(spec)), ("$round", round), ("$weights", Bytes(weights)),
            ("$momentum", momentum is null ? null : Bytes(momentum)), ("$updated", SqliteDatabase.Now()));
        if (report is not null)
            SqliteDatabase.Execute(c, t, "INSERT OR REPLACE INTO federated_rounds (job, round, report) VALUES ($job, $round, $report)",
                ("$job", job), ("$round", round), ("$report", JsonSerializer.Serialize(report)));
        return 0;
    });

    private static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    private static float[] Floats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
