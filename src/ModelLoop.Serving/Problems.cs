using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// 503: the model exists but cannot be served now (its files are broken, its key is missing); the operator must act.
    /// The cause names artifact paths, key ids or environment variables, which are the operator's business: it is logged
    /// with the request's id, and the client gets a generic sentence carrying that id (to quote to the operator).
    /// </summary>
    public static ProblemHttpResult Unavailable(HttpContext context, Exception cause)
    {
        var id = Logged(context, cause, StatusCodes.Status503ServiceUnavailable);
        return TypedResults.Problem($"The model cannot be served now because of a problem on the server's side. Retry later; if it persists, tell the operator request id {id} (the server log has the cause under it).",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "The model is unavailable.");
    }

    /// <summary>
    /// 500 for an error the server caused while computing a request: logged with the request's id (the exception may name
    /// server internals); the client gets <paramref name="detail"/>, which must name none, and the id.
    /// </summary>
    public static ProblemHttpResult ServerError(HttpContext context, string detail, Exception cause)
    {
        var id = Logged(context, cause, StatusCodes.Status500InternalServerError);
        return TypedResults.Problem($"{detail} The server log has the cause under request id {id}.", statusCode: StatusCodes.Status500InternalServerError, title: "The prediction failed on the server.");
    }

    /// <summary>422: the request was read and run, but its items give no answer the server can send (e.g. non-finite outputs).</summary>
    public static ProblemHttpResult Unprocessable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The model gives no answer for these items.");

    /// <summary>429 with Retry-After (seconds): overload, rate limit or quota.</summary>
    public static ProblemHttpResult TooMany(HttpContext context, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.");
    }

    /// <summary>Logs the cause of an error answer under the request's id and returns the id (for the answer's detail).</summary>
    public static string Logged(HttpContext context, Exception cause, int status)
    {
        var id = RequestId(context);
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ModelLoop.Serving.Problems")
            .LogError(cause, "Request {RequestId} answered {Status}: {Cause}", id, status, cause.Message);
        return id;
    }

    // The request's id: the one predict already gave it (X-Request-Id), else a new one, sent back in the same header.
    private static string RequestId(HttpContext context)
    {
        var header = Api.PredictApi.RequestIdHeader;
        if (context.Response.Headers[header].ToString() is { Length: > 0 } id)
            return id;
        id = Guid.CreateVersion7().ToString("N");
        context.Response.Headers[header] = id;
        return id;
    }
}
