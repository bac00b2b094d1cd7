using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Contracts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Serving.Logging;

namespace ModelLoop.Serving.Tests.Logging;

/// <summary>POST /v1/models/{name}/feedback on predictions the server logged.</summary>
public sealed class FeedbackApiTests : IDisposable
{
    private readonly ServerHost _server = new(new() { ["Serving:PredictionLog:Enabled"] = "true" });

    public void Dispose() => _server.Dispose();

    private PredictionLog Log => _server.Services.GetRequiredService<PredictionRecorder>().Log!;

    private static async Task<PredictResponse> Predict(HttpClient client, int items = 1)
    {
        var response = await client.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = Enumerable.Range(0, items).Select(i => new[] { 5.1f + i, 3.5f, 1.4f, 0.2f }) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }

    private static async Task<string> Detail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    private static async Task<string> WithoutTraceId(HttpResponseMessage response, string requestId)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(body.Remove("traceId"));
        return body.ToJsonString().Replace(requestId, "ID");
    }

    private static Task<HttpResponseMessage> Feedback(HttpClient client, object body, string model = "iris") =>
        client.PostAsJsonAsync($"/v1/models/{model}/feedback", body);

    [Fact]
    public async Task FeedbackIsCreatedThenARepeatIs200UnchangedThenADifferentLabelReplacesIt()
    {
        var key = await _server.CreateTenant("acme", ["iris"]);
        using var client = _server.Client(key.Key);
        var predicted = await Predict(client, items: 3);

        var created = await Feedback(client, new { requestId = predicted.RequestId, item = 2, label = "virginica" });
        var repeat = await Feedback(client, new { requestId = predicted.RequestId, item = 2, label = 2 }); // the same class by index
        var replaced = await Feedback(client, new { requestId = predicted.RequestId, item = 2, label = "setosa", score = 1.5 });

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK], [created.StatusCode, repeat.StatusCode, replaced.StatusCode]);
        var bodies = new[] { created, repeat, replaced }.Select(r => r.Content.ReadFromJsonAsync<FeedbackResponse>().Result!).ToArray();
        Assert.Equal([FeedbackStatus.Created, FeedbackStatus.Unchanged, FeedbackStatus.Replaced], bodies.Select(b => b.Status));
        Assert.Equal(("virginica", 2), (bodies[0].Label, bodies[0].Class!.Value));
        Assert.Equal(("setosa", 0, 1.5), (bodies[2].Label, bodies[2].Class!.Value, bodies[2].Score!.Value));
        var item = Log.Read("iris").Single(p => p.RequestId == predicted.RequestId).Items[2];
        Assert.Equal((0, 1.5, 2), (item.Feedback!.Class, item.Feedback.Score, item.Feedback.Revisions));
        Assert.Equal(key.TenantId, Log.Read("iris").Single().TenantId);
    }

    [Fact]
    public async Task AnotherTenantsRequestIdIsA404WordForWordLikeAnUnknownOne()
    {
        var owner = await _server.CreateTenant("owner", ["iris"]);
        var other = await _server.CreateTenant("other", ["iris"]);
        using var ownerClient = _server.Client(owner.Key);
        using var otherClient = _server.Client(other.Key);
        var predicted = await Predict(ownerClient);
        var unknownId = predicted.RequestId[..^4] + "ffff";

        var foreign = await Feedback(otherClient, new { requestId = predicted.RequestId, label = "setosa" });
        var unknown = await Feedback(otherClient, new { requestId = unknownId, label = "setosa" });

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // Only the trace id differs (it is every response's own).
        Assert.Equal(await WithoutTraceId(unknown, unknownId), await WithoutTraceId(foreign, predicted.RequestId));
        Assert.Null(Log.Read("iris").Single().Items[0].Feedback);
    }

    [Fact]
    public async Task APredictionOfAnotherModelIsNotFoundUnderThisModelsName()
    {
        using var client = _server.Client();
        var predicted = await Predict(client);

        var response = await Feedback(client, new { requestId = predicted.RequestId, label = 1 }, model: "digits");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("""{ "label": "setosa" }""", "requestId")]
    [InlineData("""{ "requestId": 7, "label": "setosa" }""", "requestId")]
    [InlineData("""{ "requestId": "ID" }""", "at least one")]
    [InlineData("""{ "requestId": "ID", "label": "tulip" }""", "\"label\" is \"tulip\"")]
    [InlineData("""{ "requestId": "ID", "label": 3 }""", "0 to 2")]
    [InlineData("""{ "requestId": "ID", "label": 1.5 }""", "whole number")]
    [InlineData("""{ "requestId": "ID", "label": { "class": 1 } }""", "received an object")]
    [InlineData("""{ "requestId": "ID", "correct": "yes" }""", "\"correct\" must be true or false")]
    [InlineData("""{ "requestId": "ID", "score": "high" }""", "\"score\" must be a finite number")]
    [InlineData("""{ "requestId": "ID", "item": 1, "label": 0 }""", "predicted 1 item")]
    [InlineData("""{ "requestId": "ID", "item": -1, "label": 0 }""", "whole number ≥ 0")]
    [InlineData("""{ "requestId": "ID", "lable": 0 }""", "\"lable\" is not a field of a feedback body")]
    public async Task AMistakenFeedbackIsA400NamingTheField(string body, string expected)
    {
        using var client = _server.Client();
        var predicted = await Predict(client);

        using var content = new StringContent(body.Replace("\"ID\"", $"\"{predicted.RequestId}\""), System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/v1/models/iris/feedback", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await Detail(response));
        Assert.Null(Log.Read("iris").Single().Items[0].Feedback);
    }

    [Fact]
    public async Task FeedbackOnABatchMustSayWhichItem()
    {
        using var client = _server.Client();
        var predicted = await Predict(client, items: 2);

        var response = await Feedback(client, new { requestId = predicted.RequestId, correct = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"item\" is missing", await Detail(response));
    }

    [Fact]
    public async Task ACorrectFlagOnAClassifierLabelsTheItemWithItsPredictedClass()
    {
        using var client = _server.Client();
        var predicted = await Predict(client);

        var response = await Feedback(client, new { requestId = predicted.RequestId, correct = true });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var labelled = Assert.Single(Log.ReadLabelled("iris"));
        Assert.Equal(predicted.Predictions[0].Class, labelled.TrueClass);
    }

    [Fact]
    public async Task WithoutThePredictionLogFeedbackIsA404SayingHowToTurnItOn()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        var predicted = await Predict(client);

        var response = await Feedback(client, new { requestId = predicted.RequestId, label = "setosa" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("--log-predictions", await response.Content.ReadAsStringAsync());
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(server.DatabasePath)!, PredictionLog.DefaultFileName)));
    }
}
