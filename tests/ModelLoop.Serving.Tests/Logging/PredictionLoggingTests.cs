using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Contracts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Serving.Logging;

namespace ModelLoop.Serving.Tests.Logging;

/// <summary>What the server writes to the prediction log, per its settings.</summary>
public sealed class PredictionLoggingTests
{
    private static readonly float[] Item = [5.1f, 3.5f, 1.4f, 0.2f];

    private static PredictionLog Log(ServerHost server) => server.Services.GetRequiredService<PredictionRecorder>().Log!;

    [Fact]
    public async Task EveryPredictResponseCarriesItsRequestIdInTheBodyAndTheHeader()
    {
        using var server = new ServerHost();
        using var client = server.Client();

        var first = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = Item });
        var second = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = Item });
        var bad = await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = "x" });

        var ids = new List<string>();
        foreach (var response in new[] { first, second })
        {
            var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
            Assert.Equal(body.RequestId, Assert.Single(response.Headers.GetValues("X-Request-Id")));
            Assert.Matches("^[0-9a-f]{32}$", body.RequestId);
            ids.Add(body.RequestId);
        }
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Single(bad.Headers.GetValues("X-Request-Id"));
    }

    [Fact]
    public async Task ALoggedRequestHasItsTenantVersionOutputsLatencyAndByDefaultOnlyTheInputsHash()
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true" });
        var key = await server.CreateTenant("acme", ["iris"]);
        using var client = server.Client(key.Key);

        var response = (await (await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { Item, Item } })).Content.ReadFromJsonAsync<PredictResponse>())!;

        var logged = Assert.Single(Log(server).Read("iris"));
        Assert.Equal((response.RequestId, key.TenantId, "1", InputStorage.Hash, InputFormat.Tensor), (logged.RequestId, logged.TenantId, logged.Version, logged.Storage, logged.Format));
        Assert.True(logged.LatencyMs > 0);
        Assert.Equal(2, logged.Items.Count);
        Assert.Equal(TestModels.Reference(server.Iris1, Item), logged.Items[1].Outputs, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(InputHash.Of(Item), logged.Items[1].InputSha256);
        Assert.Null(logged.Items[1].InputValues);
        Assert.Null(logged.Items[1].InputJson);
        Assert.Equal(response.Predictions[1].Class, logged.Items[1].Monitored!.PredictedClass);
        Assert.Equal(response.Predictions[1].Probabilities!.Values.Max(), logged.Items[1].Monitored!.Confidence!.Value, 5);
    }

    [Fact]
    public async Task RawStorageKeepsRecordsAsSentAndTensorsAsTheirValues()
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true", ["Serving:PredictionLog:Inputs"] = "Raw" });
        using var client = server.Client();

        await client.PostAsJsonAsync("/v1/models/iris/predict", new { record = new Dictionary<string, float> { ["sepal_length"] = 5.1f, ["sepal_width"] = 3.5f, ["petal_length"] = 1.4f, ["petal_width"] = 0.2f } });
        await client.PostAsJsonAsync("/v1/models/iris/predict", new { input = Item });

        var logged = Log(server).Read("iris");
        Assert.Equal([InputFormat.Record, InputFormat.Tensor], logged.Select(l => l.Format));
        Assert.Contains("\"sepal_length\":5.1", logged[0].Items[0].InputJson);
        Assert.Equal(Item, logged[1].Items[0].InputValues);
        Assert.Equal([4L], logged[1].ItemShape);
    }

    [Fact]
    public async Task ATenantRuleTurnsLoggingOffForItWhileOthersAreStillLogged()
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true" });
        var quiet = await server.CreateTenant("quiet", ["iris"]);
        var loud = await server.CreateTenant("loud", ["iris"]);
        // Rules are read per request from the bound options: the tenant's id is known only now.
        server.Services.GetRequiredService<PredictionRecorder>().Options.Tenants[quiet.TenantId] = new PredictionLogRule { SampleRate = 0 };
        using var quietClient = server.Client(quiet.Key);
        using var loudClient = server.Client(loud.Key);

        var unlogged = (await (await quietClient.PostAsJsonAsync("/v1/models/iris/predict", new { input = Item })).Content.ReadFromJsonAsync<PredictResponse>())!;
        await loudClient.PostAsJsonAsync("/v1/models/iris/predict", new { input = Item });
        var feedback = await quietClient.PostAsJsonAsync("/v1/models/iris/feedback", new { requestId = unlogged.RequestId, label = "setosa" });

        Assert.Equal([loud.TenantId], Log(server).Read().Select(l => l.TenantId));
        Assert.Equal(HttpStatusCode.NotFound, feedback.StatusCode);
    }

    [Fact]
    public async Task TheLogLivesNextToTheServingDatabaseUnlessAPathIsGiven()
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true" });
        using var elsewhere = new TestModels.TempFolder();
        var path = Path.Combine(elsewhere.Path, "log.db");
        using var placed = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true", ["Serving:PredictionLog:Path"] = path });

        Assert.Equal(Path.Combine(Path.GetDirectoryName(server.DatabasePath)!, PredictionLog.DefaultFileName), Log(server).Path);
        Assert.Equal(path, Log(placed).Path);
    }
}
