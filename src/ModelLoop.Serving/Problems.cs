using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ModelLoop.Serving;

/// <summary>ProblemDetails responses with one sentence of what was wrong and what to send instead.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadInput(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request's input is not valid.");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large.");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Not allowed.");

    /// <summary>503: the model exists but cannot be served now (its files are broken); the operator must act.</summary>
    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail + " This is a problem on the server's side; retry later or tell the operator.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "The model is unavailable.");

    /// <summary>429 with Retry-After (seconds): overload, rate limit or quota.</summary>
    public static ProblemHttpResult TooMany(HttpContext context, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.");
    }
}
