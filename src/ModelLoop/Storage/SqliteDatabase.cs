using Microsoft.Data.Sqlite;

namespace ModelLoop.Storage;

/// <summary>
/// One SQLite file in WAL mode shared by processes: readers never block the writer and the writer never
/// blocks readers; writers queue behind a busy timeout. Every write is one short IMMEDIATE transaction
/// (the write lock is taken up front, so two writers cannot deadlock upgrading a read lock), so a process
/// killed mid-write leaves the database as it was before that write: SQLite's WAL gives all-or-nothing.
/// </summary>
public sealed class SqliteDatabase
{
    /// <summary>How long a writer waits for another process's transaction: 30 s (transactions take milliseconds).</summary>
    private const int BusyTimeoutMs = 30_000;
    private readonly string _connectionString;

    /// <summary>Opens the database at <paramref name="path"/>, creating its folder, the file and the schema when absent.</summary>
    public SqliteDatabase(string path, string schema, int schemaVersion) : this(path, schema, schemaVersion, null)
    {
    }

    /// <summary>
    /// As above, and upgrades an older file: <paramref name="migrate"/> gets the file's schema version (0 for a new
    /// file) and runs in the same transaction as the schema and the version bump, so a migration is all-or-nothing.
    /// </summary>
    public SqliteDatabase(string path, string schema, int schemaVersion, Action<SqliteConnection, SqliteTransaction, int>? migrate)
        : this(path, SqliteOpenMode.ReadWriteCreate)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        Write((c, t) =>
        {
            var version = Convert.ToInt32(Scalar(c, t, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
            if (version > schemaVersion)
                throw new InvalidOperationException($"The database '{Path}' has schema version {version}; this ModelLoop knows up to {schemaVersion}. Upgrade ModelLoop to use it.");
            if (version < schemaVersion)
                migrate?.Invoke(c, t, version);
            Execute(c, t, schema);
            Execute(c, t, $"PRAGMA user_version = {schemaVersion};");
            return 0;
        });
    }

    private SqliteDatabase(string path, SqliteOpenMode mode)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = mode,
            DefaultTimeout = BusyTimeoutMs / 1000,
            Pooling = true,
        }.ToString();
    }

    /// <summary>
    /// Opens a database that already exists, creating nothing (no folder, file or schema), for commands that only
    /// read; null when there is no file at <paramref name="path"/>. Writes still work on the existing file.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file's schema is newer than <paramref name="schemaVersion"/>.</exception>
    public static SqliteDatabase? OpenExisting(string path, int schemaVersion)
    {
        if (!File.Exists(path))
            return null;
        var database = new SqliteDatabase(path, SqliteOpenMode.ReadWrite);
        var version = database.Read(c => Convert.ToInt32(Scalar(c, null, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture));
        if (version > schemaVersion)
            throw new InvalidOperationException($"The database '{database.Path}' has schema version {version}; this ModelLoop knows up to {schemaVersion}. Upgrade ModelLoop to use it.");
        return database;
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // synchronous=FULL: a committed write survives power loss too, not only a killed process.
        Execute(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction and commits; an exception rolls it back.</summary>
    public T Write<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = work(connection, transaction);
        transaction.Commit();
        return result;
    }

    /// <summary>Runs a read on a snapshot: WAL readers see the last committed state and never wait for a writer.</summary>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = Open();
        return work(connection);
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static List<T> Query<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
            rows.Add(map(reader));
        return rows;
    }

    /// <summary>PRAGMA integrity_check: "ok" when every page and index is sound.</summary>
    public string IntegrityCheck() => Read(c => (string)Scalar(c, null, "PRAGMA integrity_check;")!);

    public static string Now() => DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
}
