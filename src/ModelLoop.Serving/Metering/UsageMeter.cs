using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelLoop.Contracts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Metering;

/// <summary>
/// Persists usage (requests, items, compute ms; prompt and completion tokens of language models) per tenant, model version and UTC hour. <see cref="Record"/>
/// completes only after the transaction holding the record committed, and the server answers a request
/// only after that — so every acknowledged prediction is counted even if the process is killed. Records
/// arriving together share one transaction (group commit): one fsync per batch, not per request, so metering
/// does not cap throughput.
/// Also keeps today's (UTC, by <see cref="TimeProvider"/>) requests and items per tenant for daily quotas, with the
/// amounts still in flight reserved (<see cref="TryReserve(string, UsageUnit, long, long)"/>).
/// A record is booked in the hour of its request, unless that month's late-usage window had closed when it commits
/// (<see cref="Billing.BillingMonth.BookedAt"/>): then in the hour it commits, so a final invoice never changes.
/// </summary>
internal sealed class UsageMeter : IAsyncDisposable
{
    private sealed record Usage(string TenantId, string Model, string Version, long Items, double ComputeMs, DateTime At,
        long PromptTokens = 0, long CompletionTokens = 0);

    // Today's committed amounts of one tenant, indexed by UsageUnit.
    private sealed class DayCount(long requests, long items, long promptTokens, long completionTokens)
    {
        public readonly long[] Used = [requests, items, promptTokens, completionTokens];
    }

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _clock;
    private readonly ILogger<UsageMeter> _logger;
    private readonly GroupCommit<Usage> _writer;
    private readonly Dictionary<string, DayCount> _today = new(StringComparer.Ordinal);            // under _lock
    private readonly Dictionary<(string, UsageUnit), long> _reserved = new();                      // in flight, under _lock
    private readonly Lock _lock = new();
    // Held while a batch commits and while a counter is read from the database, so a commit is either seen by the
    // read or added to the counter it filled — never neither (a commit between the read and the store was lost).
    private readonly Lock _refill = new();
    private DateOnly _day;

    /// <param name="database">The serving database.</param>
    /// <param name="clock">Where "now" comes from (hour buckets, the day of daily quotas). Defaults to the system clock.</param>
    /// <param name="logger">Where usage booked after its month's late-usage window is noted. Defaults to none.</param>
    public UsageMeter(SqliteDatabase database, TimeProvider? clock = null, ILogger<UsageMeter>? logger = null)
    {
        _database = database;
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger<UsageMeter>.Instance;
        _day = Today();
        _writer = new GroupCommit<Usage>(Commit);
    }

    /// <summary>Counts one request of <paramref name="items"/> items; completes when committed.</summary>
    public Task Record(string tenantId, string model, string version, long items, double computeMs) =>
        _writer.Add(new Usage(tenantId, model, version, items, computeMs, _clock.GetUtcNow().UtcDateTime));

    /// <summary>
    /// Counts one language-model request: the tokens of its prompt read and of its completion sent (a stream the client
    /// cut counts what was sent before it went); completes when committed.
    /// </summary>
    public Task RecordTokens(string tenantId, string model, string version, long promptTokens, long completionTokens, double computeMs) =>
        _writer.Add(new Usage(tenantId, model, version, 0, computeMs, _clock.GetUtcNow().UtcDateTime, promptTokens, completionTokens));

    /// <summary>
    /// Takes <paramref name="amount"/> tokens of today's <paramref name="quota"/> of tokens (prompt + completion) for a
    /// tenant, counting what is in flight as used; false (nothing taken) when it does not fit. Reservations are kept under
    /// <see cref="UsageUnit.PromptTokens"/>: release them with <see cref="ReleaseReservation(string, UsageUnit, long)"/> and that unit.
    /// </summary>
    public bool TryReserveTokens(string tenantId, long amount, long quota)
    {
        var counter = Counter(tenantId);
        lock (_lock)
        {
            var reserved = _reserved.GetValueOrDefault((tenantId, UsageUnit.PromptTokens));
            if (counter.Used[(int)UsageUnit.PromptTokens] + counter.Used[(int)UsageUnit.CompletionTokens] + reserved + amount > quota)
                return false;
            _reserved[(tenantId, UsageUnit.PromptTokens)] = reserved + amount;
            return true;
        }
    }

    /// <summary>Requests a tenant made today (UTC), for its daily quota.</summary>
    public long RequestsToday(string tenantId) => UsedToday(tenantId, UsageUnit.Requests);

    /// <summary>The amount of <paramref name="unit"/> a tenant used today (UTC), committed requests only.</summary>
    public long UsedToday(string tenantId, UsageUnit unit) => Counter(tenantId).Used[(int)unit];

    /// <summary>
    /// Takes one of today's <paramref name="quota"/> requests for a tenant, counting the ones still in flight as
    /// used; false when none is left. Each true must be followed by <see cref="ReleaseReservation(string)"/> once the
    /// request was recorded (its count has then moved to today's total) or failed.
    /// </summary>
    public bool TryReserve(string tenantId, long quota) => TryReserve(tenantId, UsageUnit.Requests, 1, quota);

    /// <summary>Ends a reservation taken by <see cref="TryReserve(string, long)"/>.</summary>
    public void ReleaseReservation(string tenantId) => ReleaseReservation(tenantId, UsageUnit.Requests, 1);

    /// <summary>
    /// Takes <paramref name="amount"/> of today's <paramref name="quota"/> of <paramref name="unit"/> for a tenant,
    /// counting what is in flight as used; false (nothing taken) when it does not fit. Each true must be followed by
    /// <see cref="ReleaseReservation(string, UsageUnit, long)"/> with the same amount once the request was recorded or failed.
    /// </summary>
    public bool TryReserve(string tenantId, UsageUnit unit, long amount, long quota)
    {
        var counter = Counter(tenantId);
        lock (_lock)
        {
            // A release happens only after its commit bumped today's count, so used + reserved never undercounts.
            var reserved = _reserved.GetValueOrDefault((tenantId, unit));
            if (counter.Used[(int)unit] + reserved + amount > quota)
                return false;
            _reserved[(tenantId, unit)] = reserved + amount;
            return true;
        }
    }

    /// <summary>Ends a reservation taken by <see cref="TryReserve(string, UsageUnit, long, long)"/>.</summary>
    public void ReleaseReservation(string tenantId, UsageUnit unit, long amount)
    {
        lock (_lock)
        {
            var left = _reserved.GetValueOrDefault((tenantId, unit)) - amount;
            if (left > 0)
                _reserved[(tenantId, unit)] = left;
            else
                _reserved.Remove((tenantId, unit));
        }
    }

    /// <summary>Usage rows, optionally for one tenant and a [from, to) range of UTC times, oldest first.</summary>
    public IReadOnlyList<UsageRow> Query(string? tenantId, DateTime? fromUtc, DateTime? toUtc) =>
        _database.Read(connection => Query(connection, tenantId, fromUtc, toUtc));

    /// <summary>Reads usage from a database file directly (the <c>modelloop usage</c> command).</summary>
    public static IReadOnlyList<UsageRow> Query(SqliteConnection connection, string? tenantId, DateTime? fromUtc, DateTime? toUtc) =>
        SqliteDatabase.Query(connection, null, """
            SELECT tenant_id, model, version, hour_utc, requests, items, compute_ms, prompt_tokens, completion_tokens FROM usage
            WHERE ($t IS NULL OR tenant_id = $t) AND ($from IS NULL OR hour_utc >= $from) AND ($to IS NULL OR hour_utc < $to)
            ORDER BY hour_utc, tenant_id, model, version
            """,
            r => new UsageRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetDouble(6), r.GetInt64(7), r.GetInt64(8)),
            ("$t", tenantId), ("$from", fromUtc is { } f ? Hour(f) : null), ("$to", toUtc is { } t ? Hour(t) : null));

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    // Today's counter of a tenant, read from the database (committed rows of today) on its first use each day.
    private DayCount Counter(string tenantId)
    {
        lock (_lock)
        {
            RollDay();
            if (_today.TryGetValue(tenantId, out var known))
                return known;
        }
        lock (_refill)
        {
            var day = Today();
            var (requests, items, promptTokens, completionTokens) = _database.Read(connection => SqliteDatabase.Query(connection, null,
                "SELECT COALESCE(SUM(requests), 0), COALESCE(SUM(items), 0), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0) FROM usage WHERE tenant_id = $t AND hour_utc >= $from AND hour_utc < $to",
                r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
                ("$t", tenantId), ("$from", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                ("$to", day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))[0]);
            var sameDay = Today() == day;
            lock (_lock)
            {
                RollDay();
                if (!sameDay || _day != day) // the day turned while we read: a stale count must not be stored for the new day
                    return new DayCount(requests, items, promptTokens, completionTokens);
                if (!_today.TryGetValue(tenantId, out var counter))
                    _today[tenantId] = counter = new DayCount(requests, items, promptTokens, completionTokens);
                return counter;
            }
        }
    }

    private void Commit(IReadOnlyList<Usage> batch)
    {
        lock (_refill)
        {
            var booked = CommitRows(batch);
            lock (_lock)
            {
                RollDay();
                // Only counters already read are bumped (an absent one is read, this batch included, on its first
                // use), and only with usage booked on the counter's day: a request made before midnight and committed
                // after it is yesterday's.
                for (var n = 0; n < batch.Count; n++)
                {
                    var usage = batch[n];
                    if (DateOnly.FromDateTime(booked[n]) == _day && _today.TryGetValue(usage.TenantId, out var counter))
                    {
                        counter.Used[(int)UsageUnit.Requests]++;
                        counter.Used[(int)UsageUnit.Items] += usage.Items;
                        counter.Used[(int)UsageUnit.PromptTokens] += usage.PromptTokens;
                        counter.Used[(int)UsageUnit.CompletionTokens] += usage.CompletionTokens;
                    }
                }
            }
        }
    }

    // The hour each record was booked in, in batch order.
    private DateTime[] CommitRows(IReadOnlyList<Usage> batch) => _database.Write((connection, transaction) =>
    {
        // Read inside the write transaction: the month's window is judged at (just before) the commit, not when queued.
        var now = _clock.GetUtcNow().UtcDateTime;
        var booked = new DateTime[batch.Count];
        using var command = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO usage (tenant_id, model, version, hour_utc, requests, items, compute_ms, prompt_tokens, completion_tokens) VALUES ($t, $m, $v, $h, 1, $i, $c, $pt, $ct)
            ON CONFLICT (tenant_id, model, version, hour_utc) DO UPDATE SET
                requests = requests + 1, items = items + excluded.items, compute_ms = compute_ms + excluded.compute_ms,
                prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens
            """);
        var t = command.Parameters.Add("$t", SqliteType.Text);
        var m = command.Parameters.Add("$m", SqliteType.Text);
        var v = command.Parameters.Add("$v", SqliteType.Text);
        var h = command.Parameters.Add("$h", SqliteType.Text);
        var i = command.Parameters.Add("$i", SqliteType.Integer);
        var c = command.Parameters.Add("$c", SqliteType.Real);
        var pt = command.Parameters.Add("$pt", SqliteType.Integer);
        var ct = command.Parameters.Add("$ct", SqliteType.Integer);
        for (var n = 0; n < batch.Count; n++)
        {
            var pending = batch[n];
            booked[n] = Billing.BillingMonth.BookedAt(pending.At, now);
            if (booked[n] != pending.At)
            {
                _logger.LogWarning("Usage of tenant {Tenant} on {Model} version {Version} answered at {RequestUtc:O} was committed at {CommitUtc:O}, after {Month}'s late-usage window; it is billed in the hour it was committed",
                    pending.TenantId, pending.Model, pending.Version, pending.At, now, Billing.BillingMonth.Of(pending.At));
            }
            (t.Value, m.Value, v.Value, h.Value, i.Value, c.Value) = (pending.TenantId, pending.Model, pending.Version, Hour(booked[n]), pending.Items, pending.ComputeMs);
            (pt.Value, ct.Value) = (pending.PromptTokens, pending.CompletionTokens);
            command.ExecuteNonQuery();
        }
        return booked;
    });

    // Under _lock: a new UTC day starts every counter afresh (reservations in flight stay: their requests still run).
    private void RollDay()
    {
        var today = Today();
        if (today == _day)
            return;
        _day = today;
        _today.Clear();
    }

    private DateOnly Today() => DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);

    private static string Hour(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);
}
