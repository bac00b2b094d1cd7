using Microsoft.Data.Sqlite;

namespace ModelLoop.Serving;

/// <summary>
/// The SQLite file behind tenants, keys and usage, in WAL mode: readers never block the writer, and a
/// committed transaction survives the process being killed (synchronous=NORMAL loses commits only on a
/// power cut, not a crash). Every write is one transaction.
/// </summary>
internal sealed class ServingDatabase
{
    private readonly string _connectionString;

    public ServingDatabase(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        FilePath = full;
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS tenants (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, requests_per_minute INTEGER NOT NULL,
                daily_request_quota INTEGER NULL, created_utc TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS grants (
                tenant_id TEXT NOT NULL REFERENCES tenants(id), model TEXT NOT NULL, PRIMARY KEY (tenant_id, model));
            CREATE TABLE IF NOT EXISTS api_keys (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), sha256 TEXT NOT NULL UNIQUE,
                created_utc TEXT NOT NULL, revoked_utc TEXT NULL);
            CREATE TABLE IF NOT EXISTS usage (
                tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, hour_utc TEXT NOT NULL,
                requests INTEGER NOT NULL, items INTEGER NOT NULL, compute_ms REAL NOT NULL,
                PRIMARY KEY (tenant_id, model, version, hour_utc));
            """);
    }

    public string FilePath { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        return connection;
    }

    public static int Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command.ExecuteNonQuery();
    }
}
