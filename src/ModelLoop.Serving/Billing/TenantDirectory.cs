using Microsoft.Data.Sqlite;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Billing;

/// <summary>Tenant ids, names and creation times read from the tenants table, for invoices (read straight from a file by the CLI, so not through TenantStore).</summary>
internal static class TenantDirectory
{
    public sealed record Entry(string Id, string Name, DateTime CreatedUtc);

    public static IReadOnlyDictionary<string, Entry> Read(SqliteConnection connection, SqliteTransaction? transaction) =>
        SqliteDatabase.Query(connection, transaction, "SELECT id, name, created_utc FROM tenants",
                r => new Entry(r.GetString(0), r.GetString(1), SqliteDatabase.ParseTime(r.GetString(2)).UtcDateTime))
            .ToDictionary(e => e.Id, StringComparer.Ordinal);
}
