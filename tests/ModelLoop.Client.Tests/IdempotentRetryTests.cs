using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;

namespace ModelLoop.Client.Tests;

/// <summary>Which calls the SDK repeats after a transient failure, and that a repeated prediction is billed once.</summary>
public sealed class IdempotentRetryTests
{
    private const string PredictionJson = """{ "model": "iris", "version": "1", "predictions": [{ "label": "a", "class": 0, "probabilities": { "a": 1 } }] }""";
    private const string AdminKey = "client-retry-tests-admin-0123456789-abcdefgh";

    /// <summary>Passes requests on and records each one's method, path and Idempotency-Key.</summary>
    private sealed class Recorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<(HttpMethod Method, string Path, string? Key)> Seen { get; } = [];

        /// <summary>Predict calls whose response is lost (a dropped connection) after the server answered them.</summary>
        public int LosePredictResponses { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((request.Method, request.RequestUri!.AbsolutePath, request.Headers.TryGetValues(ModelLoopClient.IdempotencyKeyHeader, out var keys) ? keys.Single() : null));
            var response = await base.SendAsync(request, cancellationToken);
            if (LosePredictResponses > 0 && request.RequestUri.AbsolutePath.EndsWith("/predict", StringComparison.Ordinal))
            {
                LosePredictResponses--;
                response.Dispose();
                throw new HttpRequestException("The connection was reset before the response arrived (simulated).");
            }
            return response;
        }
    }

    private static ModelLoopClient Client(HttpMessageHandler handler, Uri baseAddress, string key) =>
        new(new HttpClient(ModelLoopClient.CreateHandler(new ModelLoopClientOptions { RetryDelay = TimeSpan.FromMilliseconds(1) }, handler)) { BaseAddress = baseAddress }, key);

    [Fact]
    public async Task A_prediction_whose_response_was_lost_after_the_server_metered_it_is_retried_and_billed_once()
    {
        using var folder = new TempFolderScope();
        using (var model = new Sequential(4) { new Dense(3) })
            ModelArtifact.Save(model, Path.Combine(folder.Path, "models", "iris", "artifact"));
        using var factory = new WebApplicationFactory<Serving.Program>().WithWebHostBuilder(builder => builder
            .UseSetting("Serving:ModelsPath", Path.Combine(folder.Path, "models"))
            .UseSetting("Serving:DatabasePath", Path.Combine(folder.Path, "serving.db"))
            .UseSetting("Serving:AdminKey", AdminKey)
            .UseSetting("Serving:TorchThreads", "1"));
        using var admin = new ModelLoopClient(factory.CreateClient(), AdminKey);
        var tenant = await admin.CreateTenantAsync("acme", ["iris"]);
        var recorder = new Recorder(factory.Server.CreateHandler()) { LosePredictResponses = 1 };
        using var acme = Client(recorder, factory.Server.BaseAddress, tenant.Key);

        var answer = await acme.PredictAsync("iris", [[1f, 2f, 3f, 4f]]);

        var usage = Assert.Single(await admin.GetUsageAsync(tenantId: tenant.TenantId));
        Assert.Equal((1L, 1L), (usage.Requests, usage.Items));
        Assert.Single(answer.Predictions);
        Assert.Equal(2, recorder.Seen.Count);
        Assert.NotNull(recorder.Seen[0].Key);
        Assert.Equal(recorder.Seen[0].Key, recorder.Seen[1].Key);
    }

    [Fact]
    public async Task Each_prediction_call_gets_its_own_key_kept_across_its_retries()
    {
        var stub = new StubHandler(
            () => StubHandler.Status(HttpStatusCode.ServiceUnavailable),
            () => StubHandler.Status(HttpStatusCode.OK, PredictionJson),
            () => StubHandler.Status(HttpStatusCode.OK, PredictionJson));
        var recorder = new Recorder(stub);
        using var client = Client(recorder, new Uri("http://stub/"), "ml_test");

        await client.PredictAsync("iris", [[1f, 2f, 3f, 4f]]);
        await client.PredictAsync("iris", [[1f, 2f, 3f, 4f]]);

        Assert.Equal(3, recorder.Seen.Count);
        Assert.Equal(recorder.Seen[0].Key, recorder.Seen[1].Key);
        Assert.NotEqual(recorder.Seen[1].Key, recorder.Seen[2].Key);
    }

    [Fact]
    public async Task Creating_a_tenant_or_a_key_is_not_retried_after_a_transient_failure()
    {
        var stub = new StubHandler(() => StubHandler.Status(HttpStatusCode.ServiceUnavailable));
        using var client = StubHandler.Client(stub);

        var tenant = await Assert.ThrowsAsync<ModelLoopApiException>(() => client.CreateTenantAsync("acme", ["iris"]));
        var key = await Assert.ThrowsAsync<ModelLoopApiException>(() => client.AddKeyAsync("t1"));

        Assert.Equal(2, stub.Calls);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), (tenant.StatusCode, key.StatusCode));
    }

    [Fact]
    public async Task Reads_and_feedback_are_still_retried()
    {
        var stub = new StubHandler(
            () => StubHandler.Status(HttpStatusCode.BadGateway),
            () => StubHandler.Status(HttpStatusCode.OK, "[]"),
            () => StubHandler.Status(HttpStatusCode.BadGateway),
            () => StubHandler.Status(HttpStatusCode.OK, """{ "requestId": "r1", "item": 0, "status": "Created" }"""));
        using var client = StubHandler.Client(stub);

        await client.ListModelsAsync();
        await client.SendFeedbackAsync("iris", Contracts.FeedbackRequest.WithLabel("r1", "a"));

        Assert.Equal(4, stub.Calls);
    }

    /// <summary>A temporary folder removed on dispose (SQLite pools closed first).</summary>
    private sealed class TempFolderScope : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("modelloop-client-").FullName;

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // best effort: the OS temp folder is cleaned eventually
            }
        }
    }
}
