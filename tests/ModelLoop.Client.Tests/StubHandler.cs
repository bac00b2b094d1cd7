using System.Net;

namespace ModelLoop.Client.Tests;

/// <summary>Answers requests from a script of responses and counts the calls (no network).</summary>
internal sealed class StubHandler(params Func<HttpResponseMessage>[] script) : HttpMessageHandler
{
    public int Calls { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var step = script[Math.Min(Calls, script.Length - 1)];
        Calls++;
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return step();
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string? json = null, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        if (json is not null)
            response.Content = new StringContent(json, System.Text.Encoding.UTF8, status < HttpStatusCode.BadRequest ? "application/json" : "application/problem+json");
        if (retryAfter is { } after)
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(after);
        return response;
    }

    public static ModelLoopClient Client(StubHandler stub, int maxRetries = 3) =>
        new(new HttpClient(ModelLoopClient.CreateHandler(new ModelLoopClientOptions { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(1) }, stub))
        {
            BaseAddress = new Uri("http://stub/"),
        }, "ml_test");
}
