using Microsoft.Data.Sqlite;
using ModelLoop.Storage;

namespace ModelLoop.Serving;

/// <summary>
/// The tables behind tenants, API keys and usage, in one <see cref="SqliteDatabase"/> (WAL; every write one
/// IMMEDIATE transaction, committed with synchronous=FULL, so an acknowledged write survives a killed process and a
/// power cut). <see cref="Version"/> is the database's user_version: a newer file is refused by an older server, an
/// older one is upgraded in place (columns added, nothing dropped: tenants, keys and usage are kept).
/// </summary>
internal static class ServingSchema
{
    /// <summary>The schema version this server writes and reads: 2 added the item limits of tenants.</summary>
    public const int Version = 2;

    private const string Tables = """
        CREATE TABLE IF NOT EXISTS tenants (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, requests_per_minute INTEGER NOT NULL,
            daily_request_quota INTEGER NULL, created_utc TEXT NOT NULL,
            items_per_minute INTEGER NULL, daily_item_quota INTEGER NULL);
        CREATE TABLE IF NOT EXISTS grants (
            tenant_id TEXT NOT NULL REFERENCES tenants(id), model TEXT NOT NULL, PRIMARY KEY (tenant_id, model));
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), sha256 TEXT NOT NULL UNIQUE,
            created_utc TEXT NOT NULL, revoked_utc TEXT NULL);
        CREATE TABLE IF NOT EXISTS usage (
            tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, hour_utc TEXT NOT NULL,
            requests INTEGER NOT NULL, items INTEGER NOT NULL, compute_ms REAL NOT NULL,
            PRIMARY KEY (tenant_id, model, version, hour_utc));
        """;

    /// <summary>Opens (creating when absent, upgrading when older) the serving database at <paramref name="path"/>.</summary>
    public static SqliteDatabase Open(string path) => new(path, Tables + Billing.BillingSchema.Tables, Version, Migrate);

    // Version 1 → 2: the item limits (NULL: none, what every existing tenant had). A new file (0) gets the full tables.
    private static void Migrate(SqliteConnection connection, SqliteTransaction transaction, int from)
    {
        if (from is 0 or >= 2)
            return;
        SqliteDatabase.Execute(connection, transaction, "ALTER TABLE tenants ADD COLUMN items_per_minute INTEGER NULL;");
        SqliteDatabase.Execute(connection, transaction, "ALTER TABLE tenants ADD COLUMN daily_item_quota INTEGER NULL;");
    }
}
