using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Contracts;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Tests.Batching;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>The request path's hardening: what one tenant's bad request can do to others, what is billed, what bodies say.</summary>
public sealed class RequestPathTests
{
    [Fact]
    public async Task An_out_of_range_token_id_is_refused_before_batching_and_names_the_item()
    {
        using var server = new ServerHost();
        using var text = TestModels.Text(1);
        TestModels.WriteRun(Path.Combine(server.ModelsPath, "text"), text);
        using var client = server.Client();

        var bad = await client.PostAsJsonAsync("/v1/models/text/predict", new { inputs = new[] { new[] { 1, 2, 3, 4, 5 }, new[] { 1, 2, 3, 4, 12 } } });
        var good = await client.PostAsJsonAsync("/v1/models/text/predict", new { inputs = new[] { new[] { 1, 2, 3, 4, 9 } } });

        var detail = await BadInputTests.AssertProblem(bad, 400, "inputs[1][4]");
        Assert.Contains("vocabulary of 10", detail);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task Non_finite_outputs_are_a_422_naming_the_item_and_are_not_billed()
    {
        using var server = new ServerHost();
        var acme = await server.CreateTenant("acme", ["iris"]);
        using var client = server.Client(acme.Key);
        using var admin = server.Client();
        // Inputs at the edge of float32 overflow the model's sums; which sign does depends on its weights.
        var huge = new[] { 3.4e38f, -3.4e38f }.SelectMany(a => new[] { a, -a }.Select(b => new[] { a, b, a, b })).Concat([[3.4e38f, 3.4e38f, 3.4e38f, 3.4e38f]])
            .First(item => TestModels.Reference(server.Iris1, item).Any(v => !float.IsFinite(v)));

        var response = await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { new[] { 1f, 2f, 3f, 4f }, huge } });

        var detail = await BadInputTests.AssertProblem(response, 422, "item(s) 1 ");
        Assert.Contains("not billed", detail);
        Assert.Empty((await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={acme.TenantId}"))!);
    }

    [Fact]
    public async Task A_request_whose_client_left_after_its_compute_started_is_metered()
    {
        using var backend = new GatedBackend(startOpen: false);
        using var server = new ServerHost(services: s => s.AddSingleton<IModelCatalog>(new GatedCatalog(backend)));
        var acme = await server.CreateTenant("acme", ["sum"]);
        using var client = server.Client(acme.Key);
        using var admin = server.Client();
        using var leaving = new CancellationTokenSource();

        var call = client.PostAsJsonAsync("/v1/models/sum/predict", new { input = new[] { 1f, 2f } }, leaving.Token);
        Assert.True(backend.Entered.Wait(TimeSpan.FromSeconds(30)), "the request never reached the forward pass");
        await leaving.CancelAsync(); // the client goes away while its batch is computed
        backend.Gate.Set();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Metering completes after the forward pass, on the server's side; wait for it (bounded), do not time it.
        UsageRow[] rows = [];
        for (var i = 0; i < 200 && rows.Length == 0; i++)
        {
            await Task.Delay(50);
            rows = (await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={acme.TenantId}"))!;
        }
        var row = Assert.Single(rows);
        Assert.Equal((1L, 1L), (row.Requests, row.Items));
    }

    [Fact]
    public async Task Items_the_model_cannot_compute_are_named_and_not_billed()
    {
        using var backend = new GatedBackend();
        using var server = new ServerHost(services: s => s.AddSingleton<IModelCatalog>(new GatedCatalog(backend)));
        var acme = await server.CreateTenant("acme", ["sum"]);
        using var client = server.Client(acme.Key);
        using var admin = server.Client();

        // The gated model throws for negative values: item 1 fails while item 0 computes (the item's fault: 422); a lone
        // failing item cannot tell the model's fault from the item's (500). The detail never carries the exception's text.
        var mixed = await client.PostAsJsonAsync("/v1/models/sum/predict", new { inputs = new[] { new[] { 1f, 2f }, new[] { -1f, 0f } } });
        var alone = await client.PostAsJsonAsync("/v1/models/sum/predict", new { input = new[] { -1f, 0f } });

        var itemFault = await BadInputTests.AssertProblem(mixed, 422, "item(s) 1 ");
        var unknownFault = await BadInputTests.AssertProblem(alone, 500, "item(s) 0 ");
        Assert.All(new[] { itemFault, unknownFault }, detail => Assert.DoesNotContain("index out of range", detail));
        Assert.Contains(mixed.Headers.GetValues("X-Request-Id").Single(), itemFault);
        Assert.Empty((await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={acme.TenantId}"))!);
    }

    [Theory]
    [InlineData("POST", "/v1/admin/tenants", """{ "name": "acme", "models": ["iris"], "dailyQuota": 3 }""", "dailyQuota", "dailyRequestQuota")]
    [InlineData("PUT", "/v1/admin/tenants/{id}", """{ "models": ["iris"], "requestsPerMinute": 5, "quota": 3 }""", "quota", "dailyRequestQuota")]
    [InlineData("POST", "/v1/models/iris/predict", """{ "inputs": [[1, 2, 3, 4]], "returnOutput": true }""", "returnOutput", "returnOutputs")]
    [InlineData("POST", "/v1/models/iris/feedback", """{ "requestId": "r", "label": "setosa", "itme": 0 }""", "itme", "item")]
    public async Task An_unknown_field_in_any_body_is_a_400_naming_it_and_the_accepted_ones(string method, string path, string body, string unknown, string accepted)
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true" });
        var existing = await server.CreateTenant("existing", ["iris"], dailyQuota: 10);
        using var admin = server.Client();
        var before = await admin.GetStringAsync("/v1/admin/tenants");

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", existing.TenantId))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

        var detail = await BadInputTests.AssertProblem(response, 400, $"\"{unknown}\" is not a field");
        Assert.Contains($"\"{accepted}\"", detail);
        Assert.Equal(before, await admin.GetStringAsync("/v1/admin/tenants")); // nothing was created or changed
    }

    [Fact]
    public async Task A_503_names_no_path_key_or_variable_but_the_request_id()
    {
        using var server = new ServerHost();
        File.WriteAllText(Path.Combine(server.ModelsPath, "iris", "2", "artifact", Artifacts.ModelArtifact.WeightsFile), "not weights");
        using var client = server.Client();

        var predict = await client.PostAsJsonAsync("/v1/models/iris/predict?version=2", new { input = new[] { 1f, 2f, 3f, 4f } });
        var metadata = await client.GetAsync("/v1/models/iris?version=2");

        foreach (var response in new[] { predict, metadata })
        {
            var detail = await BadInputTests.AssertProblem(response, 503, "problem on the server's side");
            Assert.DoesNotContain(server.ModelsPath, detail);
            Assert.DoesNotContain(Artifacts.ModelArtifact.WeightsFile, detail);
            Assert.Contains(response.Headers.GetValues("X-Request-Id").Single(), detail);
        }
    }
}
