using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ModelLoop.Serving.Api;

/// <summary>
/// A predict request refused by its <see cref="RequestAdmission"/> (too large once decoded, over an item limit or quota,
/// or the model's memory bound reached): the status, what was wrong and what to do, and when to retry (null: retrying
/// the same request cannot help).
/// </summary>
internal sealed class AdmissionRefusedException(int statusCode, string title, string detail, TimeSpan? retryAfter) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The ProblemDetails answer, with a Retry-After header (whole seconds, at least 1) when one is set.</summary>
    public ProblemHttpResult ToProblem(HttpContext context)
    {
        if (RetryAfter is { } after)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(Message, statusCode: StatusCode, title: title);
    }
}
