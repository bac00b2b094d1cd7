using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Metering;

/// <summary>
/// Persists usage (requests, items, compute ms) per tenant, model version and UTC hour. <see cref="Record"/>
/// completes only after the transaction holding the record committed, and the server answers a request
/// only after that — so every acknowledged prediction is counted even if the process is killed. Records
/// arriving together share one transaction (group commit): one fsync per batch, not per request, so metering
/// does not cap throughput.
/// Also keeps today's request count per tenant for daily quotas.
/// </summary>
internal sealed class UsageMeter : IAsyncDisposable
{
    private sealed record Usage(string TenantId, string Model, string Version, long Items, double ComputeMs, DateTime At);

    private readonly SqliteDatabase _database;
    private readonly GroupCommit<Usage> _writer;
    private readonly ConcurrentDictionary<string, long> _today = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _reserved = new(StringComparer.Ordinal); // requests in flight per tenant, under _quotaLock
    private readonly Lock _quotaLock = new();
    private DateOnly _day = DateOnly.FromDateTime(DateTime.UtcNow);

    public UsageMeter(SqliteDatabase database)
    {
        _database = database;
        _writer = new GroupCommit<Usage>(Commit, Counted);
    }

    /// <summary>Counts one request of <paramref name="items"/> items; completes when committed.</summary>
    public Task Record(string tenantId, string model, string version, long items, double computeMs) =>
        _writer.Add(new Usage(tenantId, model, version, items, computeMs, DateTime.UtcNow));

    /// <summary>Requests a tenant made today (UTC), for its daily quota.</summary>
    public long RequestsToday(string tenantId)
    {
        RollDay();
        return _today.GetOrAdd(tenantId, id => _database.Read(connection => Convert.ToInt64(
            SqliteDatabase.Scalar(connection, null, "SELECT COALESCE(SUM(requests), 0) FROM usage WHERE tenant_id = $t AND hour_utc >= $from",
                ("$t", id), ("$from", _day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
            CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Takes one of today's <paramref name="quota"/> requests for a tenant, counting the ones still in flight as
    /// used; false when none is left. Each true must be followed by <see cref="ReleaseReservation"/> once the
    /// request was recorded (its count has then moved to today's total) or failed.
    /// </summary>
    public bool TryReserve(string tenantId, long quota)
    {
        lock (_quotaLock)
        {
            // Read inside the lock: a request's reservation is released only after its commit bumped today's
            // count, so used + reserved never undercounts.
            var used = RequestsToday(tenantId);
            var reserved = _reserved.GetValueOrDefault(tenantId);
            if (used + reserved >= quota)
                return false;
            _reserved[tenantId] = reserved + 1;
            return true;
        }
    }

    /// <summary>Ends a reservation taken by <see cref="TryReserve"/>.</summary>
    public void ReleaseReservation(string tenantId)
    {
        lock (_quotaLock)
        {
            var left = _reserved.GetValueOrDefault(tenantId) - 1;
            if (left > 0)
                _reserved[tenantId] = left;
            else
                _reserved.Remove(tenantId);
        }
    }

    /// <summary>Usage rows, optionally for one tenant and a [from, to) range of UTC times, oldest first.</summary>
    public IReadOnlyList<UsageRow> Query(string? tenantId, DateTime? fromUtc, DateTime? toUtc) =>
        _database.Read(connection => Query(connection, tenantId, fromUtc, toUtc));

    /// <summary>Reads usage from a database file directly (the <c>modelloop usage</c> command).</summary>
    public static IReadOnlyList<UsageRow> Query(SqliteConnection connection, string? tenantId, DateTime? fromUtc, DateTime? toUtc) =>
        SqliteDatabase.Query(connection, null, """
            SELECT tenant_id, model, version, hour_utc, requests, items, compute_ms FROM usage
            WHERE ($t IS NULL OR tenant_id = $t) AND ($from IS NULL OR hour_utc >= $from) AND ($to IS NULL OR hour_utc < $to)
            ORDER BY hour_utc, tenant_id, model, version
            """,
            r => new UsageRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetDouble(6)),
            ("$t", tenantId), ("$from", fromUtc is { } f ? Hour(f) : null), ("$to", toUtc is { } t ? Hour(t) : null));

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    // Only counters already read from the database are bumped; an absent one is read (committed rows included) on its first use.
    private void Counted(Usage usage)
    {
        RollDay();
        while (_today.TryGetValue(usage.TenantId, out var n) && !_today.TryUpdate(usage.TenantId, n + 1, n))
        {
        }
    }

    private void Commit(IReadOnlyList<Usage> batch) => _database.Write((connection, transaction) =>
    {
        using var command = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO usage (tenant_id, model, version, hour_utc, requests, items, compute_ms) VALUES ($t, $m, $v, $h, 1, $i, $c)
            ON CONFLICT (tenant_id, model, version, hour_utc) DO UPDATE SET
                requests = requests + 1, items = items + excluded.items, compute_ms = compute_ms + excluded.compute_ms
            """);
        var t = command.Parameters.Add("$t", SqliteType.Text);
        var m = command.Parameters.Add("$m", SqliteType.Text);
        var v = command.Parameters.Add("$v", SqliteType.Text);
        var h = command.Parameters.Add("$h", SqliteType.Text);
        var i = command.Parameters.Add("$i", SqliteType.Integer);
        var c = command.Parameters.Add("$c", SqliteType.Real);
        foreach (var pending in batch)
        {
            (t.Value, m.Value, v.Value, h.Value, i.Value, c.Value) = (pending.TenantId, pending.Model, pending.Version, Hour(pending.At), pending.Items, pending.ComputeMs);
            command.ExecuteNonQuery();
        }
        return batch.Count;
    });

    private void RollDay()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        if (today == _day)
            return;
        _day = today;
        _today.Clear();
    }

    private static string Hour(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);
}
