using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using ModelLoop.Serving.Billing;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Tests.Billing;

/// <summary>
/// A serving database in a temporary folder with a <see cref="BillingService"/> on a fake clock (starting 2026-10-15, so
/// October to December 2026 are open for prices), and helpers that write tenants and usage rows straight into its tables.
/// </summary>
internal sealed class BillingDatabase : IDisposable
{
    private readonly TestModels.TempFolder _folder = new();

    public BillingDatabase()
    {
        Path = System.IO.Path.Combine(_folder.Path, "serving.db");
        Database = ServingSchema.Open(Path);
        Billing = new BillingService(Database, Clock, () => ["iris", "digits", "lm"]);
    }

    public string Path { get; }
    public SqliteDatabase Database { get; }
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 10, 15, 12, 0, 0, TimeSpan.Zero));
    public BillingService Billing { get; }

    public static readonly BillingMonth November = BillingMonth.Parse("2026-11", "test");

    public static DateTime At(string utc) => DateTime.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>A tenant row, created at <paramref name="createdUtc"/> (defaults to 2026-01-01).</summary>
    public void AddTenant(string id, string? createdUtc = null) => Database.Write((c, t) => SqliteDatabase.Execute(c, t,
        "INSERT INTO tenants (id, name, requests_per_minute, daily_request_quota, created_utc) VALUES ($id, $name, 60, NULL, $created)",
        ("$id", id), ("$name", id + " Ltd"), ("$created", At(createdUtc ?? "2026-01-01").ToString("O", CultureInfo.InvariantCulture))));

    /// <summary>Adds to the usage row of (tenant, model, version, hour), as the meter does; tokens go to the token columns (added when the schema lacks them).</summary>
    public void AddUsage(string tenant, string model, string version, string hourUtc, long requests, long items, long promptTokens = 0, long completionTokens = 0)
    {
        var hour = At(hourUtc).ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);
        Database.Write((c, t) =>
        {
            var columns = SqliteDatabase.Query(c, t, "SELECT name FROM pragma_table_info('usage')", r => r.GetString(0));
            foreach (var column in new[] { "prompt_tokens", "completion_tokens" }.Except(columns))
                SqliteDatabase.Execute(c, t, $"ALTER TABLE usage ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0");
            return SqliteDatabase.Execute(c, t, """
                INSERT INTO usage (tenant_id, model, version, hour_utc, requests, items, compute_ms, prompt_tokens, completion_tokens)
                VALUES ($t, $m, $v, $h, $r, $i, 1.0, $p, $c)
                ON CONFLICT (tenant_id, model, version, hour_utc) DO UPDATE SET requests = requests + excluded.requests, items = items + excluded.items,
                    prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens
                """, ("$t", tenant), ("$m", model), ("$v", version), ("$h", hour), ("$r", requests), ("$i", items), ("$p", promptTokens), ("$c", completionTokens));
        });
    }

    /// <summary>SUM(<paramref name="column"/>) of a tenant's usage rows in [from, to), straight from the table.</summary>
    public long Sum(string tenant, string column, string fromUtc, string toUtc, string? model = null) => Database.Read(c => Convert.ToInt64(SqliteDatabase.Scalar(c, null,
        $"SELECT COALESCE(SUM({column}), 0) FROM usage WHERE tenant_id = $t AND hour_utc >= $from AND hour_utc < $to AND ($m IS NULL OR model = $m)",
        ("$t", tenant), ("$from", Hour(fromUtc)), ("$to", Hour(toUtc)), ("$m", model)), CultureInfo.InvariantCulture));

    private static string Hour(string utc) => At(utc).ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
