using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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
    private readonly ServingDatabase _database;
    private readonly ConcurrentDictionary<string, (string KeyId, string TenantId, bool Revoked)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);

    public TenantStore(ServingDatabase database)
    {
        _database = database;
        Reload();
    }

    public enum KeyStatus { Unknown, Revoked, Valid }

    /// <summary>The tenant a raw key belongs to, or why there is none.</summary>
    public (KeyStatus Status, Tenant? Tenant) Authenticate(string rawKey)
    {
        if (!_keys.TryGetValue(Hash(rawKey), out var key))
            return (KeyStatus.Unknown, null);
        if (key.Revoked)
            return (KeyStatus.Revoked, null);
        return _tenants.TryGetValue(key.TenantId, out var tenant) ? (KeyStatus.Valid, tenant) : (KeyStatus.Unknown, null);
    }

    public IReadOnlyList<Tenant> List() => _tenants.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    public Tenant? Find(string id) => _tenants.GetValueOrDefault(id);

    /// <summary>Creates a tenant and its first key; the raw key is returned only here.</summary>
    public (Tenant Tenant, string KeyId, string Key) Create(string name, IReadOnlyList<string> models, int requestsPerMinute, long? dailyQuota)
    {
        var tenant = new Tenant("t_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name, models.Distinct().ToList(), requestsPerMinute, dailyQuota);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        ServingDatabase.Execute(connection, "INSERT INTO tenants (id, name, requests_per_minute, daily_request_quota, created_utc) VALUES ($id, $name, $rpm, $quota, $now)",
            ("$id", tenant.Id), ("$name", name), ("$rpm", requestsPerMinute), ("$quota", dailyQuota), ("$now", Now()));
        foreach (var model in tenant.Models)
            ServingDatabase.Execute(connection, "INSERT INTO grants (tenant_id, model) VALUES ($id, $model)", ("$id", tenant.Id), ("$model", model));
        var (keyId, key, hash) = NewKey();
        ServingDatabase.Execute(connection, "INSERT INTO api_keys (id, tenant_id, sha256, created_utc) VALUES ($kid, $id, $hash, $now)",
            ("$kid", keyId), ("$id", tenant.Id), ("$hash", hash), ("$now", Now()));
        transaction.Commit();
        _tenants[tenant.Id] = tenant;
        _keys[hash] = (keyId, tenant.Id, false);
        return (tenant, keyId, key);
    }

    /// <summary>Replaces a tenant's grants, rate limit and quota (null quota: none); null when the tenant does not exist.</summary>
    public Tenant? Update(string tenantId, IReadOnlyList<string> models, int requestsPerMinute, long? dailyQuota)
    {
        if (!_tenants.TryGetValue(tenantId, out var old))
            return null;
        var tenant = old with { Models = models.Distinct().ToList(), RequestsPerMinute = requestsPerMinute, DailyRequestQuota = dailyQuota };
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        ServingDatabase.Execute(connection, "UPDATE tenants SET requests_per_minute = $rpm, daily_request_quota = $quota WHERE id = $id",
            ("$id", tenantId), ("$rpm", requestsPerMinute), ("$quota", dailyQuota));
        ServingDatabase.Execute(connection, "DELETE FROM grants WHERE tenant_id = $id", ("$id", tenantId));
        foreach (var model in tenant.Models)
            ServingDatabase.Execute(connection, "INSERT INTO grants (tenant_id, model) VALUES ($id, $model)", ("$id", tenantId), ("$model", model));
        transaction.Commit();
        _tenants[tenantId] = tenant;
        return tenant;
    }

    /// <summary>Adds a key to a tenant (rotation); null when the tenant does not exist.</summary>
    public (string KeyId, string Key)? AddKey(string tenantId)
    {
        if (!_tenants.ContainsKey(tenantId))
            return null;
        var (keyId, key, hash) = NewKey();
        using var connection = _database.Open();
        ServingDatabase.Execute(connection, "INSERT INTO api_keys (id, tenant_id, sha256, created_utc) VALUES ($kid, $id, $hash, $now)",
            ("$kid", keyId), ("$id", tenantId), ("$hash", hash), ("$now", Now()));
        _keys[hash] = (keyId, tenantId, false);
        return (keyId, key);
    }

    /// <summary>Revokes a key by its id; false when no such key exists.</summary>
    public bool Revoke(string keyId)
    {
        using var connection = _database.Open();
        var changed = ServingDatabase.Execute(connection, "UPDATE api_keys SET revoked_utc = COALESCE(revoked_utc, $now) WHERE id = $kid", ("$now", Now()), ("$kid", keyId));
        if (changed == 0)
            return false;
        foreach (var (hash, key) in _keys.ToArray())
        {
            if (key.KeyId == keyId)
                _keys[hash] = key with { Revoked = true };
        }
        return true;
    }

    public static string Hash(string rawKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawKey)));

    private void Reload()
    {
        using var connection = _database.Open();
        var grants = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT tenant_id, model FROM grants";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                (grants.TryGetValue(reader.GetString(0), out var list) ? list : grants[reader.GetString(0)] = []).Add(reader.GetString(1));
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, name, requests_per_minute, daily_request_quota FROM tenants";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetString(0);
                _tenants[id] = new Tenant(id, reader.GetString(1), grants.GetValueOrDefault(id) ?? [], reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
            }
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, tenant_id, sha256, revoked_utc FROM api_keys";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                _keys[reader.GetString(2)] = (reader.GetString(0), reader.GetString(1), !reader.IsDBNull(3));
        }
    }

    private static (string Id, string Key, string Hash) NewKey()
    {
        var key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return ("k_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), key, Hash(key));
    }

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
