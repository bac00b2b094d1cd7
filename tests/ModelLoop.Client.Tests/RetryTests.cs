using System.Net;

namespace ModelLoop.Client.Tests;

public sealed class RetryTests
{
    private const string PredictionJson = """{ "model": "iris", "version": "1", "predictions": [{ "label": "virginica", "class": 1, "probabilities": { "setosa": 0.1, "virginica": 0.9 } }] }""";

    [Fact]
    public async Task TransientServerErrorsAreRetriedUntilTheCallSucceeds()
    {
        var stub = new StubHandler(
            () => StubHandler.Status(HttpStatusCode.ServiceUnavailable),
            () => StubHandler.Status(HttpStatusCode.BadGateway),
            () => StubHandler.Status(HttpStatusCode.OK, PredictionJson));
        using var client = StubHandler.Client(stub);

        var prediction = await client.PredictAsync("iris", [[1f, 2f, 3f, 4f]]);

        Assert.Equal(3, stub.Calls);
        var item = Assert.Single(prediction.Predictions);
        Assert.Equal(("virginica", 1), (item.Label, item.Class));
        Assert.Equal(0.9f, item.Probabilities!["virginica"]);
    }

    [Fact]
    public async Task AShort429IsRetriedAfterItsRetryAfter()
    {
        var stub = new StubHandler(
            () => StubHandler.Status(HttpStatusCode.TooManyRequests, """{ "title": "Too many requests.", "detail": "queue" }""", TimeSpan.FromMilliseconds(1)),
            () => StubHandler.Status(HttpStatusCode.OK, PredictionJson));
        using var client = StubHandler.Client(stub);

        await client.PredictAsync("iris", [[1f, 2f, 3f, 4f]]);

        Assert.Equal(2, stub.Calls);
    }

    [Fact]
    public async Task AUsedUpQuotaIsNotRetriedButThrownWithItsRetryAfter()
    {
        var stub = new StubHandler(() => StubHandler.Status(HttpStatusCode.TooManyRequests, """{ "title": "Too many requests.", "detail": "The daily quota of 2 requests" }""", TimeSpan.FromHours(5)));
        using var client = StubHandler.Client(stub);

        var e = await Assert.ThrowsAsync<ModelLoopApiException>(() => client.PredictAsync("iris", [[1f, 2f, 3f, 4f]]));

        Assert.Equal(1, stub.Calls);
        Assert.Equal(HttpStatusCode.TooManyRequests, e.StatusCode);
        Assert.True(e.RetryAfter > TimeSpan.FromHours(4));
    }

    [Fact]
    public async Task ABadRequestIsNotRetriedAndCarriesTheServersExplanation()
    {
        var stub = new StubHandler(() => StubHandler.Status(HttpStatusCode.BadRequest, """{ "title": "The request's input is not valid.", "detail": "inputs[0] has 3 values; this model takes 4" }"""));
        using var client = StubHandler.Client(stub);

        var e = await Assert.ThrowsAsync<ModelLoopApiException>(() => client.PredictAsync("iris", [[1f, 2f, 3f]]));

        Assert.Equal(1, stub.Calls);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains("takes 4", e.Detail);
    }

    [Fact]
    public async Task ACanceledCallStopsWithoutRetrying()
    {
        var stub = new StubHandler(() => StubHandler.Status(HttpStatusCode.OK, PredictionJson));
        using var client = StubHandler.Client(stub);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PredictAsync("iris", [[1f, 2f, 3f, 4f]], cancellationToken: canceled.Token));
        Assert.True(stub.Calls <= 1);
    }

    [Fact]
    public void AnHttpClientWithoutBaseAddressIsRefusedWithWhatToSet()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelLoopClient(new HttpClient()));
        Assert.Contains("BaseAddress", e.Message);
    }
}
