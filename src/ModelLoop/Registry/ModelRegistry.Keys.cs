using ModelLoop.Artifacts;
using static ModelLoop.Storage.SqliteDatabase;

namespace ModelLoop.Registry;

/// <summary>The registry's trusted signing keys: what <see cref="Load"/>, <c>eval</c> and the server verify signatures against.</summary>
public sealed partial class ModelRegistry
{
    // Created by the constructor's schema (CREATE TABLE IF NOT EXISTS) on every open for writing; a registry opened
    // read-only before the table existed simply has no trusted keys yet.
    private const string KeysSchema = """
        CREATE TABLE IF NOT EXISTS trusted_keys (key_id TEXT PRIMARY KEY, name TEXT, public_key_pem TEXT NOT NULL,
            added_utc TEXT NOT NULL, added_by TEXT NOT NULL);
        """;

    /// <summary>
    /// Trusts <paramref name="key"/> to sign artifacts: loads (and servers with --require-signature) accept what it
    /// signed. Trusting a key again updates its name. Moves <see cref="ChangeCounter"/>.
    /// </summary>
    public TrustedKey TrustKey(ArtifactPublicKey key, string? name = null, string? actor = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _db.Write((c, t) =>
        {
            Execute(c, t, """
                INSERT INTO trusted_keys (key_id, name, public_key_pem, added_utc, added_by) VALUES ($id, $n, $pem, $now, $by)
                ON CONFLICT (key_id) DO UPDATE SET name = COALESCE($n, name)
                """, ("$id", key.Id), ("$n", name), ("$pem", key.ToPem()), ("$now", Now()), ("$by", actor ?? Environment.UserName));
            BumpCounter(c, t);
            return ReadKeys(c, t).Single(k => k.KeyId == key.Id);
        });
    }

    /// <summary>Stops trusting a key (by id): what only it signed is refused from then on under --require-signature.</summary>
    /// <exception cref="KeyNotFoundException">No trusted key has that id; the message lists those that do.</exception>
    public void RemoveTrustedKey(string keyId) => _db.Write((c, t) =>
    {
        if (Execute(c, t, "DELETE FROM trusted_keys WHERE key_id = $id", ("$id", keyId)) == 0)
        {
            var known = ReadKeys(c, t).Select(k => k.KeyId).ToList();
            throw new KeyNotFoundException($"No trusted key has id '{keyId}'. Trusted: {(known.Count == 0 ? "none" : string.Join(", ", known))} (see `modelloop keys list`).");
        }
        BumpCounter(c, t);
        return 0;
    });

    /// <summary>Every trusted key, oldest first.</summary>
    public IReadOnlyList<TrustedKey> ListTrustedKeys() => _db.Read(c => ReadKeys(c, null));

    /// <summary>
    /// <paramref name="options"/> with the registry's trusted keys when it names none: what every load from the
    /// registry verifies signatures against.
    /// </summary>
    public ArtifactLoadOptions WithTrustedKeys(ArtifactLoadOptions? options)
    {
        options ??= new ArtifactLoadOptions();
        return options.TrustedKeys is null ? options with { TrustedKeys = ListTrustedKeys().Select(k => k.PublicKey).ToList() } : options;
    }

    /// <summary>
    /// The trusted public keys of the registry in <paramref name="home"/>, or none when no registry is there (reading
    /// creates nothing): what run folders and package folders are verified against.
    /// </summary>
    /// <param name="home">Defaults to <see cref="Storage.ModelLoopHome.Resolve"/>.</param>
    public static IReadOnlyList<ArtifactPublicKey> ReadTrustedKeys(string? home = null)
    {
        var folder = Storage.ModelLoopHome.Resolve(home);
        return File.Exists(Path.Combine(folder, "registry.db")) ? OpenExisting(folder).ListTrustedKeys().Select(k => k.PublicKey).ToList() : [];
    }

    private static List<TrustedKey> ReadKeys(Microsoft.Data.Sqlite.SqliteConnection c, Microsoft.Data.Sqlite.SqliteTransaction? t)
    {
        if (Scalar(c, t, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trusted_keys'") is null)
            return [];
        return Query(c, t, "SELECT key_id, name, public_key_pem, added_utc, added_by FROM trusted_keys ORDER BY added_utc, key_id",
            r => new TrustedKey(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), ArtifactPublicKey.FromPem(r.GetString(2), $"trusted key {r.GetString(0)} in registry.db"),
                ParseTime(r.GetString(3)), r.GetString(4)));
    }
}
