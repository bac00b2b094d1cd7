using System.Globalization;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Billing;

/// <summary>One row of the usage table as billing reads it: a tenant's use of one model version in one UTC hour.</summary>
internal sealed record MeteredHour(string TenantId, string Model, string Version, DateTime HourUtc, long Requests, long Items, long PromptTokens, long CompletionTokens)
{
    /// <summary>Every unit an invoice bills, in the order its lines list them.</summary>
    public static readonly BilledUnit[] Units = [BilledUnit.Requests, BilledUnit.Items, BilledUnit.PromptTokens, BilledUnit.CompletionTokens];

    public long Amount(BilledUnit unit) => unit switch
    {
        BilledUnit.Requests => Requests,
        BilledUnit.Items => Items,
        BilledUnit.PromptTokens => PromptTokens,
        BilledUnit.CompletionTokens => CompletionTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a billed unit."),
    };

    /// <summary>
    /// The rows of <paramref name="month"/> (hours in [start, end)), of one tenant or all, oldest first. The token columns
    /// (prompt_tokens, completion_tokens) are read as 0 where the file predates them.
    /// </summary>
    public static IReadOnlyList<MeteredHour> Read(SqliteConnection connection, SqliteTransaction? transaction, string? tenantId, BillingMonth month)
    {
        var columns = SqliteDatabase.Query(connection, transaction, "SELECT name FROM pragma_table_info('usage')", r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);
        var prompt = columns.Contains("prompt_tokens") ? "prompt_tokens" : "0";
        var completion = columns.Contains("completion_tokens") ? "completion_tokens" : "0";
        return SqliteDatabase.Query(connection, transaction, $"""
            SELECT tenant_id, model, version, hour_utc, requests, items, {prompt}, {completion} FROM usage
            WHERE ($t IS NULL OR tenant_id = $t) AND hour_utc >= $from AND hour_utc < $to
            ORDER BY hour_utc, tenant_id, model, version
            """,
            r => new MeteredHour(r.GetString(0), r.GetString(1), r.GetString(2), ParseHour(r.GetString(3)), r.GetInt64(4), r.GetInt64(5),
                r.IsDBNull(6) ? 0 : r.GetInt64(6), r.IsDBNull(7) ? 0 : r.GetInt64(7)),
            ("$t", tenantId), ("$from", Hour(month.StartUtc)), ("$to", Hour(month.EndUtc)));
    }

    // The usage table's hour format (UsageMeter): "2026-12-01T17:00Z", which sorts as text in time order.
    private static string Hour(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture);

    private static DateTime ParseHour(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
