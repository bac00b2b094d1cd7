using System.Net;
using System.Net.Http.Json;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Tests.Api;

public sealed class UsageApiTests
{
    [Fact]
    public async Task UsageCountsRequestsItemsAndComputePerTenantAndSurvivesARestart()
    {
        using var folder = new TestModels.TempFolder();
        var database = Path.Combine(folder.Path, "usage.db");
        string tenantId;
        using (var server = new ServerHost(databasePath: database))
        {
            var created = await server.CreateTenant("acme", ["iris"]);
            tenantId = created.TenantId;
            using var acme = server.Client(created.Key);
            for (var i = 0; i < 3; i++)
                (await acme.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { new[] { 1f, 2f, 3f, 4f }, new[] { 4f, 3f, 2f, 1f } } })).EnsureSuccessStatusCode();
        }

        // A new server on the same database: everything acknowledged before was committed.
        using var restarted = new ServerHost(databasePath: database);
        using var admin = restarted.Client();
        var rows = (await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={tenantId}"))!;

        var row = Assert.Single(rows);
        Assert.Equal(("iris", "1", 3L, 6L), (row.Model, row.Version, row.Requests, row.Items));
        Assert.True(row.ComputeMs > 0);
    }

    [Fact]
    public async Task ATenantReadsOnlyItsOwnUsageAndCanExportItAsCsv()
    {
        using var server = new ServerHost();
        var acmeKey = await server.CreateTenant("acme", ["iris"]);
        var otherKey = await server.CreateTenant("other", ["iris"]);
        using var acme = server.Client(acmeKey.Key);
        using var other = server.Client(otherKey.Key);
        (await acme.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { 1f, 2f, 3f, 4f } })).EnsureSuccessStatusCode();
        (await other.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { 1f, 2f, 3f, 4f } })).EnsureSuccessStatusCode();

        var own = (await acme.GetFromJsonAsync<UsageRow[]>("/v1/usage"))!;
        var forbidden = await acme.GetAsync($"/v1/usage?tenant={otherKey.TenantId}");
        var csv = await acme.GetStringAsync("/v1/usage.csv");

        Assert.All(own, r => Assert.Equal(acmeKey.TenantId, r.TenantId));
        Assert.Single(own);
        await BadInputTests.AssertProblem(forbidden, 403, "only its own");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("TenantId,Model,Version,HourUtc,Requests,Items,ComputeMs,PromptTokens,CompletionTokens", lines[0]);
        Assert.StartsWith($"{acmeKey.TenantId},iris,1,", lines[1]);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task ABadDateRangeGets400()
    {
        using var server = new ServerHost();
        using var admin = server.Client();

        await BadInputTests.AssertProblem(await admin.GetAsync("/v1/usage?from=yesterday"), 400, "ISO 8601");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/usage?from=2020-01-01&to=2100-01-01")).StatusCode);
    }
}
