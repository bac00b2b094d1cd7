using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using static ModelLoop.Storage.SqliteDatabase;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Storage;

namespace ModelLoop.Registry;

/// <summary>
/// Named models with numbered versions, aliases that move atomically ("champion", "challenger",
/// "production" or any lowercase name), tags, and the full history of every alias move (who, when, why).
/// Backed by <c>registry.db</c> (SQLite, WAL) and a verified copy of each artifact under
/// <c>artifacts/</c> in the home folder (<see cref="ModelLoopHome"/>). A server polls
/// <see cref="ChangeCounter"/> or <see cref="GetAliasVersion"/> (both one indexed read) to hot-reload.
/// Thread-safe and multi-process safe: every call opens its own connection and writes in one transaction.
/// <code>
/// var registry = new ModelRegistry();                       // .modelloop/ or MODELLOOP_HOME
/// var v = registry.Register("fashion", "runs/demo/artifact");
/// registry.SetAlias("fashion", "production", v.Version, reason: "beats v3 by 1.2 points");
/// using var loaded = registry.Load("fashion", "production");
/// </code>
/// </summary>
public sealed partial class ModelRegistry
{
    /// <summary>The alias names with a conventional meaning; any other lowercase name works the same.</summary>
    public static readonly IReadOnlyList<string> StandardAliases = ["champion", "challenger", "production"];

    private const int SchemaVersion = 1;
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS models (name TEXT PRIMARY KEY, created_utc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS versions (
            name TEXT NOT NULL REFERENCES models(name), version INTEGER NOT NULL,
            artifact_path TEXT NOT NULL, manifest_sha256 TEXT NOT NULL, run_id TEXT, dataset_hash TEXT,
            metrics_json TEXT NOT NULL, description TEXT, created_utc TEXT NOT NULL, created_by TEXT NOT NULL,
            PRIMARY KEY (name, version));
        CREATE TABLE IF NOT EXISTS tags (name TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (name, version, key), FOREIGN KEY (name, version) REFERENCES versions(name, version));
        CREATE TABLE IF NOT EXISTS aliases (name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, updated_utc TEXT NOT NULL,
            PRIMARY KEY (name, alias), FOREIGN KEY (name, version) REFERENCES versions(name, version));
        CREATE TABLE IF NOT EXISTS alias_history (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, alias TEXT NOT NULL,
            from_version INTEGER, to_version INTEGER NOT NULL, kind TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0,
            actor TEXT NOT NULL, reason TEXT, at_utc TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS alias_history_by_alias ON alias_history (name, alias, id);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO meta (key, value) VALUES ('change_counter', 0);
        """;

    private readonly SqliteDatabase _db;

    /// <param name="home">Folder for registry.db and artifacts/. Defaults to <see cref="ModelLoopHome.Resolve"/>.</param>
    public ModelRegistry(string? home = null)
    {
        Home = ModelLoopHome.Resolve(home);
        _db = new SqliteDatabase(Path.Combine(Home, "registry.db"), Schema + KeysSchema, SchemaVersion);
    }

    private ModelRegistry(string home, SqliteDatabase db)
    {
        Home = home;
        _db = db;
    }

    /// <summary>
    /// Opens the registry in <paramref name="home"/> only if it exists, creating nothing: for commands that only read
    /// (<c>models list|show</c>), so looking does not leave an empty registry behind.
    /// </summary>
    /// <param name="home">Folder of registry.db. Defaults to <see cref="ModelLoopHome.Resolve"/>.</param>
    /// <exception cref="FileNotFoundException">There is no registry.db in the folder; the message says how to make one.</exception>
    public static ModelRegistry OpenExisting(string? home = null)
    {
        var folder = ModelLoopHome.Resolve(home);
        var path = Path.Combine(folder, "registry.db");
        var db = SqliteDatabase.OpenExisting(path, SchemaVersion)
            ?? throw new FileNotFoundException(
                $"No registry at {folder} (no registry.db there). Register a model with 'modelloop models register NAME ARTIFACT' or 'modelloop train --register NAME', " +
                $"or point --home (or ${ModelLoopHome.EnvironmentVariable}) at the folder that holds the registry.", path);
        return new ModelRegistry(folder, db);
    }

    public string Home { get; }

    /// <summary>Goes up by at least one with every committed change (register, alias move, tag). Cheap to poll.</summary>
    public long ChangeCounter => _db.Read(c => (long)Scalar(c, null, "SELECT value FROM meta WHERE key = 'change_counter'")!);

    /// <summary>
    /// Verifies the artifact (every checksum, the schema, the weights against the spec), copies it into the
    /// registry and records it as the next version of <paramref name="name"/>, with its lineage and metrics,
    /// in one transaction. A crash before the commit leaves at most an unreferenced copy, never a version
    /// without its files.
    /// </summary>
    public ModelVersion Register(string name, string artifactPath, RegisterOptions? options = null)
    {
        CheckName(name);
        options ??= new RegisterOptions();
        foreach (var alias in options.Aliases)
            CheckAlias(alias);
        var loadOptions = WithTrustedKeys(new ArtifactLoadOptions { EncryptionKey = options.EncryptionKey, RequireSignature = options.RequireSignature && options.SigningKey is null });
        ArtifactMetadata metadata;
        string manifestSha;
        (_, metadata, manifestSha) = ModelArtifact.Validate(artifactPath, loadOptions); // ONNX-only packages too
        var copy = CopyIntoStore(name, artifactPath);
        var actor = options.Actor ?? Environment.UserName;
        try
        {
            if (options.SigningKey is { } signer)
                manifestSha = ModelArtifact.Sign(copy, signer); // the copy is signed; the registry records the signed manifest
            ModelArtifact.VerifyFiles(copy, loadOptions with { ExpectedManifestSha256 = manifestSha });
            return Commit(name, copy, manifestSha, metadata, options, actor);
        }
        catch
        {
            DeleteQuietly(copy); // nothing refers to it; PruneOrphanedArtifacts would get it later anyway
            throw;
        }
    }

    private ModelVersion Commit(string name, string copy, string manifestSha, ArtifactMetadata metadata, RegisterOptions options, string actor) =>
        _db.Write((c, t) =>
        {
            var now = Now();
            Execute(c, t, "INSERT OR IGNORE INTO models (name, created_utc) VALUES ($n, $now)", ("$n", name), ("$now", now));
            var version = Convert.ToInt32(Scalar(c, t, "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE name = $n", ("$n", name)), CultureInfo.InvariantCulture);
            Execute(c, t, """
                INSERT INTO versions (name, version, artifact_path, manifest_sha256, run_id, dataset_hash, metrics_json, description, created_utc, created_by)
                VALUES ($n, $v, $p, $sha, $run, $data, $metrics, $d, $now, $by)
                """, ("$n", name), ("$v", version), ("$p", Path.GetRelativePath(Home, copy)), ("$sha", manifestSha),
                ("$run", metadata.Lineage.RunId), ("$data", metadata.Lineage.DatasetManifestHash),
                ("$metrics", JsonSerializer.Serialize(metadata.Metrics, ModelArtifact.Json)), ("$d", options.Description ?? metadata.Description),
                ("$now", now), ("$by", actor));
            foreach (var (key, value) in options.Tags)
                Execute(c, t, "INSERT INTO tags (name, version, key, value) VALUES ($n, $v, $k, $val)", ("$n", name), ("$v", version), ("$k", key), ("$val", value));
            foreach (var alias in options.Aliases)
                MoveAlias(c, t, name, alias, version, AliasChangeKind.Set, actor, $"registered as version {version}");
            BumpCounter(c, t);
            return ReadVersion(c, t, name, version)!;
        });

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            else
                File.Delete(path);
        }
        catch (IOException)
        {
            // best effort: an unreferenced copy is harmless and pruned later
        }
    }

    /// <summary>
    /// A version by number ("3" or "v3"), by alias ("production"), or "latest". Throws
    /// <see cref="KeyNotFoundException"/> naming what exists when there is no such model, version or alias.
    /// </summary>
    public ModelVersion GetVersion(string name, string versionOrAlias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionOrAlias);
        return _db.Read(c =>
        {
            var version = Resolve(c, name, versionOrAlias.Trim());
            return ReadVersion(c, null, name, version)!;
        });
    }

    public ModelVersion GetVersion(string name, int version) => GetVersion(name, version.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Loads the version's artifact, verifying every file and that its manifest is the one recorded at
    /// registration (so an artifact edited inside the registry folder is refused), and its signature against the
    /// registry's trusted keys unless <paramref name="options"/> names others.
    /// </summary>
    public LoadedArtifact Load(string name, string versionOrAlias, ArtifactLoadOptions? options = null)
    {
        var version = GetVersion(name, versionOrAlias);
        return ModelArtifact.Load(version.ArtifactPath, WithTrustedKeys(options) with { ExpectedManifestSha256 = version.ManifestSha256 });
    }

    /// <summary>The version's spec and metadata (reference profile, task, names), verified like <see cref="Load"/>, without building the model.</summary>
    public (ModelSpec Spec, ArtifactMetadata Metadata) ReadMetadata(string name, string versionOrAlias, ArtifactLoadOptions? options = null)
    {
        var version = GetVersion(name, versionOrAlias);
        return ModelArtifact.ReadMetadata(version.ArtifactPath, WithTrustedKeys(options) with { ExpectedManifestSha256 = version.ManifestSha256 });
    }

    /// <summary>Where an alias points now, or null if it is not set. One indexed read: fine to poll.</summary>
    public int? GetAliasVersion(string name, string alias) =>
        _db.Read<int?>(c => Scalar(c, null, "SELECT version FROM aliases WHERE name = $n AND alias = $a", ("$n", name), ("$a", alias)) is long v ? (int)v : null);

    public IReadOnlyList<RegisteredModel> ListModels() => _db.Read(c =>
    {
        var aliases = Query(c, null, "SELECT name, alias, version FROM aliases ORDER BY alias", r => (Name: r.GetString(0), Alias: r.GetString(1), Version: r.GetInt32(2)));
        return Query(c, null, """
            SELECT m.name, COALESCE(MAX(v.version), 0), COUNT(v.version), m.created_utc
            FROM models m LEFT JOIN versions v ON v.name = m.name GROUP BY m.name ORDER BY m.name
            """, r => new RegisteredModel(r.GetString(0), r.GetInt32(1), r.GetInt32(2),
                aliases.Where(a => a.Name == r.GetString(0)).ToDictionary(a => a.Alias, a => a.Version), ParseTime(r.GetString(3))));
    });

    /// <summary>Every version of a model, oldest first.</summary>
    public IReadOnlyList<ModelVersion> ListVersions(string name) => _db.Read(c =>
    {
        RequireModel(c, name);
        var numbers = Query(c, null, "SELECT version FROM versions WHERE name = $n ORDER BY version", r => r.GetInt32(0), ("$n", name));
        return numbers.Select(v => ReadVersion(c, null, name, v)!).ToList();
    });

    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/> (a promotion) and records who, when and
    /// why, in one transaction: a reader sees the old or the new version, never neither.
    /// </summary>
    public AliasChange SetAlias(string name, string alias, int version, string? reason = null, string? actor = null)
    {
        CheckAlias(alias);
        return _db.Write((c, t) =>
        {
            RequireModel(c, name, t);
            if (Scalar(c, t, "SELECT 1 FROM versions WHERE name = $n AND version = $v", ("$n", name), ("$v", version)) is null)
                throw new KeyNotFoundException($"Model '{name}' has no version {version}; it has {Versions(c, t, name)}. Register the artifact first.");
            var change = MoveAlias(c, t, name, alias, version, AliasChangeKind.Set, actor ?? Environment.UserName, reason);
            BumpCounter(c, t);
            return change;
        });
    }

    /// <summary>
    /// Moves <paramref name="alias"/> back to the version it had before its latest promotion that was not
    /// already rolled back; repeated rollbacks walk further back through the history.
    /// </summary>
    public AliasChange Rollback(string name, string alias, string? reason = null, string? actor = null) => _db.Write((c, t) =>
    {
        RequireModel(c, name, t);
        var last = Query(c, t, """
            SELECT id, from_version, to_version FROM alias_history
            WHERE name = $n AND alias = $a AND kind = 'Set' AND undone = 0 ORDER BY id DESC LIMIT 1
            """, r => (Id: r.GetInt64(0), From: r.IsDBNull(1) ? (int?)null : r.GetInt32(1), To: r.GetInt32(2)), ("$n", name), ("$a", alias)).FirstOrDefault();
        if (last == default)
            throw new InvalidOperationException($"Alias '{alias}' of model '{name}' has no promotion left to roll back. See its history with `modelloop models show {name}`.");
        if (last.From is not { } previous)
            throw new InvalidOperationException($"Alias '{alias}' of model '{name}' was first set to version {last.To}; there is no earlier version to roll back to. Point it elsewhere with SetAlias (`modelloop models promote`).");
        Execute(c, t, "UPDATE alias_history SET undone = 1 WHERE id = $id", ("$id", last.Id));
        var change = MoveAlias(c, t, name, alias, previous, AliasChangeKind.Rollback, actor ?? Environment.UserName, reason);
        BumpCounter(c, t);
        return change;
    });

    /// <summary>Every alias move of a model (or of one alias), oldest first.</summary>
    public IReadOnlyList<AliasChange> History(string name, string? alias = null) => _db.Read(c => Query(c, null, """
        SELECT id, name, alias, from_version, to_version, kind, actor, reason, at_utc FROM alias_history
        WHERE name = $n AND ($a IS NULL OR alias = $a) ORDER BY id
        """, ReadChange, ("$n", name), ("$a", alias)));

    /// <summary>Sets (or replaces) a tag on a version.</summary>
    public void SetTag(string name, int version, string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _db.Write((c, t) =>
        {
            if (Scalar(c, t, "SELECT 1 FROM versions WHERE name = $n AND version = $v", ("$n", name), ("$v", version)) is null)
                throw new KeyNotFoundException($"Model '{name}' has no version {version}.");
            Execute(c, t, "INSERT INTO tags (name, version, key, value) VALUES ($n, $v, $k, $val) ON CONFLICT (name, version, key) DO UPDATE SET value = $val",
                ("$n", name), ("$v", version), ("$k", key), ("$val", value ?? ""));
            BumpCounter(c, t);
            return 0;
        });
    }

    /// <summary>
    /// Deletes artifact copies no version refers to — left by a registration that crashed or failed before
    /// its commit — that are older than <paramref name="olderThan"/> (defaults to one hour, so a
    /// registration running right now in another process keeps its copy). Returns how many were deleted.
    /// </summary>
    public int PruneOrphanedArtifacts(TimeSpan? olderThan = null)
    {
        var root = Path.Combine(Home, "artifacts");
        if (!Directory.Exists(root))
            return 0;
        var cutoff = DateTime.UtcNow - (olderThan ?? TimeSpan.FromHours(1));
        var referenced = _db.Read(c => Query(c, null, "SELECT artifact_path FROM versions", r => Path.GetFullPath(Path.Combine(Home, r.GetString(0)))))
            .ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var entry in Directory.EnumerateDirectories(root).SelectMany(Directory.EnumerateFileSystemEntries))
        {
            var full = Path.GetFullPath(entry);
            if (referenced.Contains(full) || Directory.GetLastWriteTimeUtc(full) > cutoff)
                continue;
            if (Directory.Exists(full))
                Directory.Delete(full, recursive: true);
            else
                File.Delete(full);
            deleted++;
        }
        return deleted;
    }

    /// <summary>SQLite's integrity check of registry.db: "ok" when sound.</summary>
    public string CheckIntegrity() => _db.IntegrityCheck();

    private static AliasChange MoveAlias(SqliteConnection c, SqliteTransaction t, string name, string alias, int version, AliasChangeKind kind, string actor, string? reason)
    {
        var from = Scalar(c, t, "SELECT version FROM aliases WHERE name = $n AND alias = $a", ("$n", name), ("$a", alias)) is long f ? (int?)f : null;
        var now = Now();
        Execute(c, t, "INSERT INTO aliases (name, alias, version, updated_utc) VALUES ($n, $a, $v, $now) ON CONFLICT (name, alias) DO UPDATE SET version = $v, updated_utc = $now",
            ("$n", name), ("$a", alias), ("$v", version), ("$now", now));
        Execute(c, t, "INSERT INTO alias_history (name, alias, from_version, to_version, kind, actor, reason, at_utc) VALUES ($n, $a, $f, $v, $k, $who, $why, $now)",
            ("$n", name), ("$a", alias), ("$f", from), ("$v", version), ("$k", kind.ToString()), ("$who", actor), ("$why", reason), ("$now", now));
        var id = (long)Scalar(c, t, "SELECT last_insert_rowid()")!;
        return new AliasChange(id, name, alias, from, version, kind, actor, reason, ParseTime(now));
    }

    private static void BumpCounter(SqliteConnection c, SqliteTransaction t) =>
        Execute(c, t, "UPDATE meta SET value = value + 1 WHERE key = 'change_counter'");

    private static AliasChange ReadChange(SqliteDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2),
        r.IsDBNull(3) ? null : r.GetInt32(3), r.GetInt32(4), Enum.Parse<AliasChangeKind>(r.GetString(5)), r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7), ParseTime(r.GetString(8)));

    private static int Resolve(SqliteConnection c, string name, string reference)
    {
        RequireModel(c, name);
        if (reference.Equals("latest", StringComparison.OrdinalIgnoreCase))
            return Convert.ToInt32(Scalar(c, null, "SELECT MAX(version) FROM versions WHERE name = $n", ("$n", name)) ?? 0, CultureInfo.InvariantCulture);
        var number = reference.StartsWith('v') || reference.StartsWith('V') ? reference[1..] : reference;
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            if (Scalar(c, null, "SELECT 1 FROM versions WHERE name = $n AND version = $v", ("$n", name), ("$v", version)) is null)
                throw new KeyNotFoundException($"Model '{name}' has no version {version}; it has {Versions(c, null, name)}.");
            return version;
        }
        if (Scalar(c, null, "SELECT version FROM aliases WHERE name = $n AND alias = $a", ("$n", name), ("$a", reference)) is long aliased)
            return (int)aliased;
        var aliases = Query(c, null, "SELECT alias FROM aliases WHERE name = $n ORDER BY alias", r => r.GetString(0), ("$n", name));
        throw new KeyNotFoundException($"Model '{name}' has no alias '{reference}'. Expected a version number, 'latest', or one of its aliases: {(aliases.Count == 0 ? "(none set)" : string.Join(", ", aliases))}.");
    }

    private ModelVersion? ReadVersion(SqliteConnection c, SqliteTransaction? t, string name, int version)
    {
        var tags = Query(c, t, "SELECT key, value FROM tags WHERE name = $n AND version = $v ORDER BY key", r => (r.GetString(0), r.GetString(1)), ("$n", name), ("$v", version))
            .ToDictionary(p => p.Item1, p => p.Item2);
        var aliases = Query(c, t, "SELECT alias FROM aliases WHERE name = $n AND version = $v ORDER BY alias", r => r.GetString(0), ("$n", name), ("$v", version));
        return Query(c, t, """
            SELECT artifact_path, manifest_sha256, run_id, dataset_hash, metrics_json, description, created_utc, created_by
            FROM versions WHERE name = $n AND version = $v
            """, r => new ModelVersion(name, version, Path.GetFullPath(Path.Combine(Home, r.GetString(0))), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3), JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(4), ModelArtifact.Json)!,
                tags, aliases, r.IsDBNull(5) ? null : r.GetString(5), ParseTime(r.GetString(6)), r.GetString(7)),
            ("$n", name), ("$v", version)).FirstOrDefault();
    }

    private static void RequireModel(SqliteConnection c, string name, SqliteTransaction? t = null)
    {
        if (Scalar(c, t, "SELECT 1 FROM models WHERE name = $n", ("$n", name)) is not null)
            return;
        var names = Query(c, t, "SELECT name FROM models ORDER BY name", r => r.GetString(0));
        throw new KeyNotFoundException($"No model named '{name}' in the registry. Registered: {(names.Count == 0 ? "(none; register one with `modelloop models register`)" : string.Join(", ", names))}.");
    }

    private static string Versions(SqliteConnection c, SqliteTransaction? t, string name)
    {
        var versions = Query(c, t, "SELECT version FROM versions WHERE name = $n ORDER BY version", r => r.GetInt32(0), ("$n", name));
        return versions.Count == 0 ? "no versions" : "versions " + string.Join(", ", versions);
    }

    private string CopyIntoStore(string name, string artifactPath)
    {
        var folder = Path.Combine(Home, "artifacts", name);
        Directory.CreateDirectory(folder);
        var id = Guid.NewGuid().ToString("N");
        var isZip = File.Exists(artifactPath);
        var target = Path.Combine(folder, isZip ? id + ".zip" : id);
        var staging = Path.Combine(folder, $".{id}.tmp");
        if (isZip)
        {
            File.Copy(artifactPath, staging);
            File.Move(staging, target);
            return target;
        }
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.EnumerateFiles(artifactPath))
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        Directory.Move(staging, target);
        return target;
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what is allowed when <paramref name="name"/> cannot name a model.</summary>
    public static void CheckName(string name)
    {
        if (name is null || !NamePattern().IsMatch(name))
            throw new ArgumentException($"Model name '{name}' is not valid: expected letters, digits, '.', '_' or '-', starting with a letter or digit, at most 100 characters (e.g. 'fashion-cnn').", nameof(name));
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what is allowed when <paramref name="alias"/> cannot be an alias.</summary>
    public static void CheckAlias(string alias)
    {
        if (alias is null || !AliasPattern().IsMatch(alias) || alias == "latest")
            throw new ArgumentException($"Alias '{alias}' is not valid: expected a lowercase name starting with a letter, of letters, digits, '_' or '-' (e.g. {string.Join(", ", StandardAliases)}); 'latest' and version numbers like 'v2' are reserved.", nameof(alias));
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\z")] // \z, not $: $ also matches before a trailing newline
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(?!v[0-9]+\z)[a-z][a-z0-9_-]{0,63}\z")]
    private static partial Regex AliasPattern();
}
