using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Contracts;
using ModelLoop.Serving.Language;
using ModelLoop.Serving.Tests.Api;

namespace ModelLoop.Serving.Tests.Language;

/// <summary>Language-model requests are metered in tokens, once, and count against the tenant's token limits.</summary>
public sealed class TokenMeteringTests
{
    private const string Model = LanguageServer.ModelName;

    private static async Task<CreatedApiKey> Tenant(LanguageServer lm, long? tokensPerMinute = null, long? dailyTokenQuota = null)
    {
        using var admin = lm.Server.Client();
        var response = await admin.PostAsJsonAsync("/v1/admin/tenants", new CreateTenantRequest("acme", [Model], TokensPerMinute: tokensPerMinute, DailyTokenQuota: dailyTokenQuota));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedApiKey>())!;
    }

    private static async Task<UsageRow[]> Usage(LanguageServer lm, string tenantId, int expectedRows)
    {
        using var admin = lm.Server.Client();
        for (var wait = 0; ; wait++)
        {
            var rows = (await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={tenantId}"))!;
            if (rows.Length >= expectedRows || wait == 100)
                return rows;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_stream_the_client_cuts_is_metered_once_for_what_was_sent_and_frees_its_row()
    {
        using var lm = new LanguageServer();
        var tenant = await Tenant(lm);
        using var client = lm.Server.Client(tenant.Key);
        var host = lm.Server.Services.GetRequiredService<LanguageModelHost>();
        var read = 0;

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(new { model = Model, prompt = "a", max_tokens = 60, temperature = 0, stream = true }) })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            while (read < 3 && await reader.ReadLineAsync() is { } line)
                read += line.StartsWith("data: {", StringComparison.Ordinal) ? 1 : 0;
        } // disposing the response cuts the stream

        var usage = Assert.Single(await Usage(lm, tenant.TenantId, 1));
        var model = await host.Get(Model, null, default);
        for (var wait = 0; wait < 100 && model!.Scheduler.ActiveSequences > 0; wait++)
            await Task.Delay(100);
        Assert.Equal(3, read);
        Assert.Equal(1, usage.Requests);
        Assert.Equal(1, usage.PromptTokens);
        Assert.InRange(usage.CompletionTokens, 3, 60);
        Assert.Equal(0, model!.Scheduler.ActiveSequences);
    }

    [Fact]
    public async Task A_daily_token_quota_refuses_a_request_that_could_pass_it()
    {
        using var lm = new LanguageServer();
        var tenant = await Tenant(lm, dailyTokenQuota: 30);
        using var client = lm.Server.Client(tenant.Key);

        var first = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", max_tokens = 10 });
        var second = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", max_tokens = 29 });

        Assert.Equal(200, (int)first.StatusCode);
        await BadInputTests.AssertProblem(second, 429, "daily quota of 30 tokens");
        Assert.NotNull(second.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_token_rate_limit_counts_the_most_a_request_can_use()
    {
        using var lm = new LanguageServer();
        var tenant = await Tenant(lm, tokensPerMinute: 20);
        using var client = lm.Server.Client(tenant.Key);

        var tooBig = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", max_tokens = 30 });
        var first = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", max_tokens = 15 });
        var second = await client.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "a", max_tokens = 15 });

        await BadInputTests.AssertProblem(tooBig, 413, "at most 20 tokens per minute");
        Assert.Equal(200, (int)first.StatusCode);
        await BadInputTests.AssertProblem(second, 429, "20 tokens per minute");
    }

    [Fact]
    public async Task Token_limits_are_set_and_listed_through_the_admin_api()
    {
        using var lm = new LanguageServer();
        var tenant = await Tenant(lm, tokensPerMinute: 1000, dailyTokenQuota: 50000);
        using var admin = lm.Server.Client();

        var bad = await admin.PutAsJsonAsync($"/v1/admin/tenants/{tenant.TenantId}", new UpdateTenantRequest([Model], 60, TokensPerMinute: 0));
        var listed = Assert.Single((await admin.GetFromJsonAsync<TenantSummary[]>("/v1/admin/tenants"))!);

        await BadInputTests.AssertProblem(bad, 400, "\"tokensPerMinute\" and \"dailyTokenQuota\" must be at least 1");
        Assert.Equal((1000L, 50000L), (listed.TokensPerMinute!.Value, listed.DailyTokenQuota!.Value));
    }

    [Fact]
    public async Task A_version_2_database_is_upgraded_keeping_its_tenants_and_usage()
    {
        using var folder = new TestModels.TempFolder();
        var database = Path.Combine(folder.Path, "v2.db");
        const string key = "ml_an-old-key-from-a-version-2-database";
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The tables as schema version 2 made them, with one tenant, key and hour of usage.
            command.CommandText = $"""
                CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, requests_per_minute INTEGER NOT NULL, daily_request_quota INTEGER NULL, created_utc TEXT NOT NULL, items_per_minute INTEGER NULL, daily_item_quota INTEGER NULL);
                CREATE TABLE grants (tenant_id TEXT NOT NULL REFERENCES tenants(id), model TEXT NOT NULL, PRIMARY KEY (tenant_id, model));
                CREATE TABLE api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), sha256 TEXT NOT NULL UNIQUE, created_utc TEXT NOT NULL, revoked_utc TEXT NULL);
                CREATE TABLE usage (tenant_id TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, hour_utc TEXT NOT NULL, requests INTEGER NOT NULL, items INTEGER NOT NULL, compute_ms REAL NOT NULL, PRIMARY KEY (tenant_id, model, version, hour_utc));
                INSERT INTO tenants VALUES ('t_old', 'old', 60, NULL, '2026-01-01T00:00:00Z', 100, NULL);
                INSERT INTO grants VALUES ('t_old', '*');
                INSERT INTO api_keys VALUES ('k_old', 't_old', '{Tenants.TenantStore.Hash(key)}', '2026-01-01T00:00:00Z', NULL);
                INSERT INTO usage VALUES ('t_old', 'iris', '1', '2026-01-01T10:00Z', 3, 30, 1.5);
                PRAGMA user_version = 2;
                """;
            command.ExecuteNonQuery();
        }

        using var lm = new LanguageServer(databasePath: database);
        using var admin = lm.Server.Client();
        var tenants = (await admin.GetFromJsonAsync<TenantSummary[]>("/v1/admin/tenants"))!;
        var completion = await lm.Server.Client(key).PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "ab", max_tokens = 3 });
        var usage = await Usage(lm, "t_old", 2);

        var tenant = Assert.Single(tenants);
        Assert.Equal(("t_old", 100L, (long?)null), (tenant.Id, tenant.ItemsPerMinute!.Value, tenant.TokensPerMinute));
        Assert.Equal(200, (int)completion.StatusCode);
        var old = Assert.Single(usage, u => u.Model == "iris");
        Assert.Equal((30L, 0L, 0L), (old.Items, old.PromptTokens, old.CompletionTokens));
        Assert.Equal(2, Assert.Single(usage, u => u.Model == Model).PromptTokens);
    }
}
