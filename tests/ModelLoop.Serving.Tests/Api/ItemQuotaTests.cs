using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Tests.Api;

public sealed class ItemQuotaTests
{
    private static object Iris(int items) => new { inputs = Enumerable.Range(0, items).Select(_ => new[] { 5f, 3f, 1f, 0f }).ToArray() };

    private static async Task<string> CreateTenant(ServerHost server, object body)
    {
        using var admin = server.Client();
        var response = await admin.PostAsJsonAsync("/v1/admin/tenants", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedApiKey>())!.Key;
    }

    [Fact]
    public async Task A_daily_item_quota_counts_items_not_requests()
    {
        using var server = new ServerHost();
        using var acme = server.Client(await CreateTenant(server, new { name = "acme", models = new[] { "iris" }, dailyItemQuota = 10 }));

        var first = await acme.PostAsJsonAsync("/v1/models/iris/predict", Iris(8));
        var second = await acme.PostAsJsonAsync("/v1/models/iris/predict", Iris(8));
        var fits = await acme.PostAsJsonAsync("/v1/models/iris/predict", Iris(2));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await BadInputTests.AssertProblem(second, 429, "daily quota of 10 items");
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task An_item_rate_limit_refuses_items_beyond_the_minutes_allowance()
    {
        using var server = new ServerHost();
        using var acme = server.Client(await CreateTenant(server, new { name = "acme", models = new[] { "iris" }, itemsPerMinute = 10 }));

        var first = await acme.PostAsJsonAsync("/v1/models/iris/predict", Iris(8));
        var second = await acme.PostAsJsonAsync("/v1/models/iris/predict", Iris(8));
        var never = await acme.PostAsJsonAsync("/v1/models/iris/predict", Iris(11));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await BadInputTests.AssertProblem(second, 429, "10 items per minute");
        Assert.NotNull(second.Headers.RetryAfter);
        await BadInputTests.AssertProblem(never, 413, "at most 10 items per request");
    }

    [Fact]
    public async Task Item_limits_are_listed_replaced_and_validated()
    {
        using var server = new ServerHost();
        using var admin = server.Client();
        var created = await server.CreateTenant("acme", ["iris"]);

        var bad = await admin.PutAsJsonAsync($"/v1/admin/tenants/{created.TenantId}", new UpdateTenantRequest(["iris"], 100, null, ItemsPerMinute: 0));
        var update = await admin.PutAsJsonAsync($"/v1/admin/tenants/{created.TenantId}", new UpdateTenantRequest(["iris"], 100, null, 500, 9000));
        var listed = (await admin.GetFromJsonAsync<TenantSummary[]>("/v1/admin/tenants"))!.Single(t => t.Id == created.TenantId);

        await BadInputTests.AssertProblem(bad, 400, "itemsPerMinute");
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal((500L, 9000L), (listed.ItemsPerMinute!.Value, listed.DailyItemQuota!.Value));
    }

    [Fact]
    public async Task A_version_1_serving_database_is_upgraded_keeping_its_tenants_keys_and_usage()
    {
        using var folder = new TestModels.TempFolder();
        var database = Path.Combine(folder.Path, "old.db");
        const string key = "ml_an-old-key-from-a-version-1-database";
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The tables as schema version 1 made them, with one tenant, key and hour of usage.
            command.CommandText = $"""
                CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, requests_per_minute INTEGER NOT NULL, daily_request_quota INTEGER NULL, created_utc TEXT NOT NULL);
                CREATE TABLE grants (tenant_id TEXT NOT NULL REFERENCES tenants(id), model TEXT NOT NULL, PRIMARY KEY (tenant_id, model));
                CREATE TABLE api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), sha256 TEXT NOT NULL UNIQUE, created_utc TEXT NOT NULL, revoked_utc TEXT NULL);
                CREATE TABLE usage (tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, hour_utc TEXT NOT NULL, requests INTEGER NOT NULL, items INTEGER NOT NULL, compute_ms REAL NOT NULL, PRIMARY KEY (tenant_id, model, version, hour_utc));
                INSERT INTO tenants VALUES ('t_old', 'old', 60, 5, '2026-01-01T00:00:00Z');
                INSERT INTO grants VALUES ('t_old', 'iris');
                INSERT INTO api_keys VALUES ('k_old', 't_old', '{Tenants.TenantStore.Hash(key)}', '2026-01-01T00:00:00Z', NULL);
                INSERT INTO usage VALUES ('t_old', 'iris', '1', '2026-01-01T10:00Z', 3, 30, 1.5);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        using var server = new ServerHost(databasePath: database);
        using var admin = server.Client();
        using var old = server.Client(key);
        var tenants = (await admin.GetFromJsonAsync<TenantSummary[]>("/v1/admin/tenants"))!;
        var usage = (await admin.GetFromJsonAsync<UsageRow[]>("/v1/usage?tenant=t_old"))!;
        var update = await admin.PutAsJsonAsync("/v1/admin/tenants/t_old", new UpdateTenantRequest(["iris"], 60, 5, DailyItemQuota: 1));
        var predict = await old.PostAsJsonAsync("/v1/models/iris/predict", Iris(2));

        var tenant = Assert.Single(tenants);
        Assert.Equal(("t_old", 5L, (long?)null), (tenant.Id, tenant.DailyRequestQuota!.Value, tenant.DailyItemQuota));
        Assert.Equal(30, Assert.Single(usage).Items);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        await BadInputTests.AssertProblem(predict, 429, "daily quota of 1 items");
    }

    [Fact]
    public void The_serving_database_commits_with_synchronous_full()
    {
        using var folder = new TestModels.TempFolder();
        var database = ServingSchema.Open(Path.Combine(folder.Path, "serving.db"));

        var synchronous = database.Read(c => Convert.ToInt64(Storage.SqliteDatabase.Scalar(c, null, "PRAGMA synchronous;"), System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, synchronous); // 2 = FULL: an acknowledged usage row or revocation survives a power cut
        SqliteConnection.ClearAllPools();
    }
}
