using System.Net;
using System.Net.Http.Json;
using ModelLoop.Contracts;
using ModelLoop.Serving.Api;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>Predict calls with an Idempotency-Key: a repeat gets the stored answer and is metered once.</summary>
public sealed class IdempotencyTests
{
    private static readonly object Item = new { inputs = new[] { new[] { 1f, 2f, 3f, 4f } } };

    private static async Task<HttpResponseMessage> Predict(HttpClient client, string? key, object? body = null, string path = "/v1/models/iris/predict")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? Item) };
        if (key is not null)
            request.Headers.Add(IdempotencyStore.Header, key);
        return await client.SendAsync(request);
    }

    private static async Task<long> Requests(ServerHost server, string tenantId)
    {
        using var admin = server.Client();
        return (await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={tenantId}"))!.Sum(r => r.Requests);
    }

    [Fact]
    public async Task A_repeated_key_gets_the_stored_answer_and_is_metered_once()
    {
        using var server = new ServerHost();
        var tenant = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(tenant.Key);

        using var first = await Predict(acme, "call-1");
        using var repeat = await Predict(acme, "call-1");
        using var another = await Predict(acme, "call-2");

        var answer = await first.Content.ReadFromJsonAsync<PredictResponse>();
        var replayed = await repeat.Content.ReadFromJsonAsync<PredictResponse>();
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(answer!.RequestId, replayed!.RequestId);
        Assert.Equal(answer.Predictions[0].Probabilities, replayed.Predictions[0].Probabilities);
        Assert.Equal("true", repeat.Headers.GetValues(IdempotencyStore.ReplayedHeader).Single());
        Assert.False(first.Headers.Contains(IdempotencyStore.ReplayedHeader));
        Assert.Equal(2, await Requests(server, tenant.TenantId));
    }

    [Fact]
    public async Task The_same_key_from_two_tenants_is_two_calls()
    {
        using var server = new ServerHost();
        var acme = await server.CreateTenant("acme", ["iris"]);
        var globex = await server.CreateTenant("globex", ["iris"]);
        using var acmeClient = server.Client(acme.Key);
        using var globexClient = server.Client(globex.Key);

        using var a = await Predict(acmeClient, "shared");
        using var b = await Predict(globexClient, "shared");

        Assert.NotEqual((await a.Content.ReadFromJsonAsync<PredictResponse>())!.RequestId, (await b.Content.ReadFromJsonAsync<PredictResponse>())!.RequestId);
        Assert.Equal((1, 1), (await Requests(server, acme.TenantId), await Requests(server, globex.TenantId)));
    }

    [Fact]
    public async Task A_key_reused_for_another_call_is_refused_with_422_and_a_malformed_key_with_400()
    {
        using var server = new ServerHost();
        var tenant = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(tenant.Key);
        using var first = await Predict(acme, "call-1");

        using var reused = await Predict(acme, "call-1", path: "/v1/models/iris/predict?version=2");
        using var malformed = await Predict(acme, new string('k', 300));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Contains("new key", await reused.Content.ReadAsStringAsync());
        await BadInputTests.AssertProblem(malformed, 400, IdempotencyStore.Header);
        Assert.Equal(1, await Requests(server, tenant.TenantId));
    }

    [Fact]
    public async Task A_failed_call_frees_its_key_so_the_retry_runs_and_is_metered()
    {
        using var server = new ServerHost();
        var tenant = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(tenant.Key);

        using var failed = await Predict(acme, "call-1", new { inputs = new[] { new[] { 1f, 2f } } });
        using var retried = await Predict(acme, "call-1");

        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.False(retried.Headers.Contains(IdempotencyStore.ReplayedHeader));
        Assert.Equal(1, await Requests(server, tenant.TenantId));
    }

    [Fact]
    public async Task Beyond_its_entry_bound_the_oldest_answer_is_forgotten()
    {
        using var server = new ServerHost(new Dictionary<string, string?> { ["Serving:IdempotencyMaxEntries"] = "2" });
        var tenant = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(tenant.Key);

        foreach (var key in new[] { "k1", "k2", "k3" })
            (await Predict(acme, key)).Dispose();
        using var oldest = await Predict(acme, "k1");
        using var newest = await Predict(acme, "k3");

        Assert.False(oldest.Headers.Contains(IdempotencyStore.ReplayedHeader));
        Assert.True(newest.Headers.Contains(IdempotencyStore.ReplayedHeader));
        Assert.Equal(4, await Requests(server, tenant.TenantId));
        Assert.True(server.Services.GetService(typeof(IdempotencyStore)) is IdempotencyStore { Count: <= 2 });
    }
}
