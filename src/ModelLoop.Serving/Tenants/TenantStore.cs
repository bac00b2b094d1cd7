using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Tenants;

/// <summary>
/// Tenants and their API keys in SQLite. A key is shown once, when created; only its SHA-256 is stored
/// (a key is 32 random bytes, so a fast hash is enough — no salt or stretching is needed for secrets that
/// cannot be guessed). Lookups go through an in-memory map of hash → tenant, updated with every change;
/// the server is the only writer of its database.
/// </summary>
internal sealed class TenantStore
{
    private const string KeyPrefix = "ml_";
    private readonly SqliteDatabase _database;
    private readonly ConcurrentDictionary<string, (string KeyId, string TenantId, bool Revoked)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);

    public TenantStore(SqliteDatabase database)
    {
        _database = database;
        Reload();
    }

    public enum KeyStatus { Unknown, Revoked, Valid }

    /// <summary>The tenant a raw key belongs to, or why there is none.</summary>
    public (KeyStatus Status, Tenant? Tenant) Authenticate(string rawKey) => AuthenticateHash(Hash(rawKey));

    /// <summary>The tenant a key's SHA-256 (<see cref="Hash"/>) belongs to, or why there is none: a session that kept only the hash re-checks it.</summary>
    public (KeyStatus Status, Tenant? Tenant) AuthenticateHash(string keyHash)
    {
        if (!_keys.TryGetValue(keyHash, out var key))
            return (KeyStatus.Unknown, null);
        if (key.Revoked)
            return (KeyStatus.Revoked, null);
        return _tenants.TryGetValue(key.TenantId, out var tenant) ? (KeyStatus.Valid, tenant) : (KeyStatus.Unknown, null);
    }

    public IReadOnlyList<Tenant> List() => _tenants.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    public Tenant? Find(string id) => _tenants.GetValueOrDefault(id);

    /// <summary>Creates a tenant and its first key; the raw key is returned only here.</summary>
    public (Tenant Tenant, string KeyId, string Key) Create(string name, IReadOnlyList<string> models, int requestsPerMinute, long? dailyQuota,
        long? itemsPerMinute = null, long? dailyItemQuota = null, long? tokensPerMinute = null, long? dailyTokenQuota = null)
    {
        var tenant = new Tenant("t_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name, models.Distinct().ToList(), requestsPerMinute, dailyQuota)
        {
            ItemsPerMinute = itemsPerMinute,
            DailyItemQuota = dailyItemQuota,
            TokensPerMinute = tokensPerMinute,
            DailyTokenQuota = dailyTokenQuota,
        };
        var (keyId, key, hash) = NewKey();
        _database.Write((connection, transaction) =>
        {
            SqliteDatabase.Execute(connection, transaction, "INSERT INTO tenants (id, name, requests_per_minute, daily_request_quota, created_utc, items_per_minute, daily_item_quota, tokens_per_minute, daily_token_quota) VALUES ($id, $name, $rpm, $quota, $now, $ipm, $iquota, $tpm, $tquota)",
                ("$id", tenant.Id), ("$name", name), ("$rpm", requestsPerMinute), ("$quota", dailyQuota), ("$now", SqliteDatabase.Now()),
                ("$ipm", itemsPerMinute), ("$iquota", dailyItemQuota), ("$tpm", tokensPerMinute), ("$tquota", dailyTokenQuota));
            foreach (var model in tenant.Models)
                SqliteDatabase.Execute(connection, transaction, "INSERT INTO grants (tenant_id, model) VALUES ($id, $model)", ("$id", tenant.Id), ("$model", model));
            return SqliteDatabase.Execute(connection, transaction, "INSERT INTO api_keys (id, tenant_id, sha256, created_utc) VALUES ($kid, $id, $hash, $now)",
                ("$kid", keyId), ("$id", tenant.Id), ("$hash", hash), ("$now", SqliteDatabase.Now()));
        });
        _tenants[tenant.Id] = tenant;
        _keys[hash] = (keyId, tenant.Id, false);
        return (tenant, keyId, key);
    }

    /// <summary>Replaces a tenant's grants, rate limits and quotas (null: none); null when the tenant does not exist.</summary>
    public Tenant? Update(string tenantId, IReadOnlyList<string> models, int requestsPerMinute, long? dailyQuota,
        long? itemsPerMinute = null, long? dailyItemQuota = null, long? tokensPerMinute = null, long? dailyTokenQuota = null)
    {
        if (!_tenants.TryGetValue(tenantId, out var old))
            return null;
        var tenant = old with
        {
            Models = models.Distinct().ToList(), RequestsPerMinute = requestsPerMinute, DailyRequestQuota = dailyQuota,
            ItemsPerMinute = itemsPerMinute, DailyItemQuota = dailyItemQuota,
            TokensPerMinute = tokensPerMinute, DailyTokenQuota = dailyTokenQuota,
        };
        _database.Write((connection, transaction) =>
        {
            SqliteDatabase.Execute(connection, transaction, "UPDATE tenants SET requests_per_minute = $rpm, daily_request_quota = $quota, items_per_minute = $ipm, daily_item_quota = $iquota, tokens_per_minute = $tpm, daily_token_quota = $tquota WHERE id = $id",
                ("$id", tenantId), ("$rpm", requestsPerMinute), ("$quota", dailyQuota), ("$ipm", itemsPerMinute), ("$iquota", dailyItemQuota),
                ("$tpm", tokensPerMinute), ("$tquota", dailyTokenQuota));
            SqliteDatabase.Execute(connection, transaction, "DELETE FROM grants WHERE tenant_id = $id", ("$id", tenantId));
            foreach (var model in tenant.Models)
                SqliteDatabase.Execute(connection, transaction, "INSERT INTO grants (tenant_id, model) VALUES ($id, $model)", ("$id", tenantId), ("$model", model));
            return 0;
        });
        _tenants[tenantId] = tenant;
        return tenant;
    }

    /// <summary>Adds a key to a tenant (rotation); null when the tenant does not exist.</summary>
    public (string KeyId, string Key)? AddKey(string tenantId)
    {
        if (!_tenants.ContainsKey(tenantId))
            return null;
        var (keyId, key, hash) = NewKey();
        _database.Write((connection, transaction) => SqliteDatabase.Execute(connection, transaction,
            "INSERT INTO api_keys (id, tenant_id, sha256, created_utc) VALUES ($kid, $id, $hash, $now)",
            ("$kid", keyId), ("$id", tenantId), ("$hash", hash), ("$now", SqliteDatabase.Now())));
        _keys[hash] = (keyId, tenantId, false);
        return (keyId, key);
    }

    /// <summary>Revokes a key by its id; false when no such key exists.</summary>
    public bool Revoke(string keyId)
    {
        var changed = _database.Write((connection, transaction) => SqliteDatabase.Execute(connection, transaction,
            "UPDATE api_keys SET revoked_utc = COALESCE(revoked_utc, $now) WHERE id = $kid", ("$now", SqliteDatabase.Now()), ("$kid", keyId)));
        if (changed == 0)
            return false;
        foreach (var (hash, key) in _keys.ToArray())
        {
            if (key.KeyId == keyId)
                _keys[hash] = key with { Revoked = true };
        }
        return true;
    }

    /// <summary>A tenant's keys (id, created, revoked; never the key), oldest first.</summary>
    public IReadOnlyList<ApiKeyInfo> ListKeys(string tenantId) => _database.Read(connection => SqliteDatabase.Query(connection, null,
        "SELECT id, created_utc, revoked_utc FROM api_keys WHERE tenant_id = $id ORDER BY created_utc, id",
        r => new ApiKeyInfo(r.GetString(0), tenantId, SqliteDatabase.ParseTime(r.GetString(1)), r.IsDBNull(2) ? null : SqliteDatabase.ParseTime(r.GetString(2))), ("$id", tenantId)));

    /// <summary>The tenant a key id belongs to; null when no such key exists.</summary>
    public string? KeyOwner(string keyId) => _keys.Values.FirstOrDefault(k => k.KeyId == keyId) is { KeyId: not null } key ? key.TenantId : null;

    public static string Hash(string rawKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawKey)));

    private void Reload() => _database.Read(connection =>
    {
        var grants = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (tenantId, model) in SqliteDatabase.Query(connection, null, "SELECT tenant_id, model FROM grants", r => (r.GetString(0), r.GetString(1))))
            (grants.TryGetValue(tenantId, out var list) ? list : grants[tenantId] = []).Add(model);
        foreach (var tenant in SqliteDatabase.Query(connection, null, "SELECT id, name, requests_per_minute, daily_request_quota, items_per_minute, daily_item_quota, tokens_per_minute, daily_token_quota FROM tenants",
                     r => new Tenant(r.GetString(0), r.GetString(1), grants.GetValueOrDefault(r.GetString(0)) ?? [], r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt64(3))
                     {
                         ItemsPerMinute = r.IsDBNull(4) ? null : r.GetInt64(4),
                         DailyItemQuota = r.IsDBNull(5) ? null : r.GetInt64(5),
                         TokensPerMinute = r.IsDBNull(6) ? null : r.GetInt64(6),
                         DailyTokenQuota = r.IsDBNull(7) ? null : r.GetInt64(7),
                     }))
            _tenants[tenant.Id] = tenant;
        foreach (var (keyId, tenantId, hash, revoked) in SqliteDatabase.Query(connection, null, "SELECT id, tenant_id, sha256, revoked_utc FROM api_keys",
                     r => (r.GetString(0), r.GetString(1), r.GetString(2), !r.IsDBNull(3))))
            _keys[hash] = (keyId, tenantId, revoked);
        return 0;
    });

    private static (string Id, string Key, string Hash) NewKey()
    {
        var key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return ("k_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), key, Hash(key));
    }
}
