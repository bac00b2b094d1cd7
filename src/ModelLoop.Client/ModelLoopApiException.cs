using System.Net;

namespace ModelLoop.Client;

/// <summary>The server answered with an error; <see cref="Detail"/> is its ProblemDetails sentence (what was wrong, what to send).</summary>
public sealed class ModelLoopApiException(HttpStatusCode statusCode, string? title, string? detail, TimeSpan? retryAfter)
    : Exception($"{(int)statusCode} {title}: {detail}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;
    public string? Title { get; } = title;
    public string? Detail { get; } = detail;

    /// <summary>How long the server asked to wait (429), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
