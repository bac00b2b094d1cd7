using System.Net;
using System.Net.Http.Json;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>Health, readiness, Prometheus metrics and the OpenAPI document.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task HealthAndReadinessAnswerWithoutAKey()
    {
        using var server = new ServerHost();
        using var client = server.Client(key: null);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task ReadinessFailsWhenTheCatalogHasNoModels()
    {
        using var server = new ServerHost();
        Directory.Delete(server.ModelsPath, recursive: true);
        Directory.CreateDirectory(server.ModelsPath);
        using var client = server.Client(key: null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task MetricsExposeLatencyBatchSizesQueueDepthAndCountsButNoTenantIds()
    {
        using var server = new ServerHost();
        var acme = await server.CreateTenant("acme", ["iris"]);
        using var client = server.Client(acme.Key);
        using var anyone = server.Client(key: null);
        (await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { 1f, 2f, 3f, 4f } })).EnsureSuccessStatusCode();

        var metrics = await anyone.GetStringAsync("/metrics");

        Assert.Contains("modelloop_predict_latency_seconds_bucket{model=\"iris\"", metrics);
        Assert.Contains("modelloop_batch_size_bucket{model=\"iris\"", metrics);
        Assert.Contains("modelloop_queue_depth{model=\"iris\",version=\"1\"}", metrics);
        Assert.Contains("modelloop_requests_total{model=\"iris\",outcome=\"ok\"}", metrics);
        Assert.Contains("modelloop_items_predicted_total{model=\"iris\"}", metrics);
        Assert.DoesNotContain(acme.TenantId, metrics);
        Assert.DoesNotContain("tenant=", metrics);
    }

    [Fact]
    public async Task Once_metrics_have_been_scraped_requests_are_not_also_recorded_through_the_meter_adapter()
    {
        // The first scrape starts prometheus-net's default metrics; its Meter adapter would then turn ASP.NET Core's
        // per-request instruments (http.server.active_requests, …) into series — a cost on every request (issue 16).
        using var server = new ServerHost();
        using var client = server.Client();
        await client.GetStringAsync("/metrics");
        (await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = new[] { 1f, 2f, 3f, 4f } })).EnsureSuccessStatusCode();

        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("modelloop_requests_total{model=\"iris\",outcome=\"ok\"}", metrics);
        Assert.DoesNotContain("http_server_active_requests", metrics);
        Assert.DoesNotContain("http_server_request_duration", metrics);
    }

    [Fact]
    public async Task UnknownModelNamesDoNotCreateMetricSeries()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        await client.PostAsJsonAsync("/v1/models/made-up-name-1234/predict", new { input = new[] { 1f } });

        var metrics = await client.GetStringAsync("/metrics");

        Assert.DoesNotContain("made-up-name-1234", metrics);
        Assert.Contains("modelloop_requests_total{model=\"(unknown)\",outcome=\"invalid\"}", metrics);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesThePredictEndpoint()
    {
        using var server = new ServerHost();
        using var client = server.Client(key: null);

        var document = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/v1/models/{name}/predict", document);
        Assert.Contains("/v1/usage.csv", document);
        Assert.Contains("PredictResponse", document);
    }
}
