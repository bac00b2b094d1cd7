using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Tests.Api;

public sealed class TenantsApiTests
{
    private static readonly object IrisBody = new { inputs = new[] { new[] { 5f, 3f, 1f, 0f } } };

    [Fact]
    public async Task ATenantSeesAndCallsOnlyTheModelsItIsGranted()
    {
        using var server = new ServerHost();
        var created = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(created.Key);

        var models = (await acme.GetFromJsonAsync<ModelSummary[]>("/v1/models"))!;
        var iris = await acme.PostAsJsonAsync("/v1/models/iris/predict", IrisBody);
        var digits = await acme.PostAsync("/v1/models/digits/predict", JsonContent.Create(new { images = new[] { Convert.ToBase64String(new byte[64]) } }));

        Assert.Equal(["iris"], models.Select(m => m.Name));
        Assert.Equal(HttpStatusCode.OK, iris.StatusCode);
        var detail = await BadInputTests.AssertProblem(digits, 404, "No model 'digits'");
        Assert.Contains("iris", detail);
    }

    [Fact]
    public async Task UpdatedGrantsTakeEffectAndSurviveARestart()
    {
        using var folder = new TestModels.TempFolder();
        var database = Path.Combine(folder.Path, "tenants.db");
        CreatedApiKey created;
        using (var server = new ServerHost(databasePath: database))
        {
            created = await server.CreateTenant("acme", ["iris"]);
            using var admin = server.Client();
            var update = await admin.PutAsJsonAsync($"/v1/admin/tenants/{created.TenantId}", new UpdateTenantRequest(["digits"], 100));
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
            var missing = await admin.PutAsJsonAsync("/v1/admin/tenants/t_nobody", new UpdateTenantRequest(["digits"], 100));
            await BadInputTests.AssertProblem(missing, 404, "No tenant");
        }
        using var restarted = new ServerHost(databasePath: database);
        using var acme = restarted.Client(created.Key);

        var models = (await acme.GetFromJsonAsync<ModelSummary[]>("/v1/models"))!;

        Assert.Equal(["digits"], models.Select(m => m.Name));
    }

    [Fact]
    public async Task OnlyTheKeysHashIsStoredAndARevokedKeyGets401()
    {
        using var server = new ServerHost();
        var created = await server.CreateTenant("acme", ["*"]);
        using var acme = server.Client(created.Key);
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/v1/models")).StatusCode);

        using (var connection = new SqliteConnection($"Data Source={server.DatabasePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT sha256 FROM api_keys";
            var stored = (string)command.ExecuteScalar()!;
            Assert.Equal(Tenants.TenantStore.Hash(created.Key), stored);
            Assert.DoesNotContain(created.Key, stored);
        }
        using var admin = server.Client();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/keys/{created.KeyId}")).StatusCode);

        await BadInputTests.AssertProblem(await acme.GetAsync("/v1/models"), 401, "revoked");
    }

    [Fact]
    public async Task ATenantKeyCannotManageTenants()
    {
        using var server = new ServerHost();
        var created = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(created.Key);

        var response = await acme.PostAsJsonAsync("/v1/admin/tenants", new CreateTenantRequest("evil", ["*"]));

        await BadInputTests.AssertProblem(response, 403, "admin key");
    }

    [Fact]
    public async Task ARateLimitedTenantGets429WithRetryAfter()
    {
        using var server = new ServerHost();
        var created = await server.CreateTenant("small", ["iris"], requestsPerMinute: 3);
        using var small = server.Client(created.Key);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 5; i++)
        {
            var response = await small.PostAsJsonAsync("/v1/models/iris/predict", IrisBody);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                limited = response;
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.NotNull(limited);
        Assert.NotNull(limited.Headers.RetryAfter);
        await BadInputTests.AssertProblem(limited, 429, "3 requests per minute");
    }

    [Fact]
    public async Task AUsedUpDailyQuotaGets429UntilMidnight()
    {
        using var server = new ServerHost();
        var created = await server.CreateTenant("trial", ["iris"], dailyQuota: 2);
        using var trial = server.Client(created.Key);

        Assert.Equal(HttpStatusCode.OK, (await trial.PostAsJsonAsync("/v1/models/iris/predict", IrisBody)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await trial.PostAsJsonAsync("/v1/models/iris/predict", IrisBody)).StatusCode);
        var third = await trial.PostAsJsonAsync("/v1/models/iris/predict", IrisBody);

        await BadInputTests.AssertProblem(third, 429, "daily quota of 2");
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task ConcurrentRequestsCannotRunPastTheDailyQuota()
    {
        using var server = new ServerHost();
        var created = await server.CreateTenant("trial", ["iris"], dailyQuota: 2);
        using var trial = server.Client(created.Key);

        // All sent at once: each must see the others in flight, not only the requests already committed.
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => trial.PostAsJsonAsync("/v1/models/iris/predict", IrisBody)));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(14, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        var later = await trial.PostAsJsonAsync("/v1/models/iris/predict", IrisBody);
        Assert.Equal(HttpStatusCode.TooManyRequests, later.StatusCode);
    }
}
