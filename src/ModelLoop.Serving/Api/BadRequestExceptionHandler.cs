using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Turns ASP.NET Core's own bad-request errors (a body that does not bind, such as malformed JSON sent to
/// an admin endpoint; a body over Kestrel's limit) into a 4xx ProblemDetails instead of a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadInputException input)
        {
            // A bad ?version= met outside predict (e.g. GET /v1/models/{name}?version=): a 400, not a 500.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await Problems.BadInput(input.Message).ExecuteAsync(context);
            return true;
        }
        if (exception is not BadHttpRequestException bad)
            return false;
        var detail = $"{bad.Message.TrimEnd('.')}: {bad.InnerException?.Message ?? "the request could not be read"}. Send a JSON body as the OpenAPI document (/openapi/v1.json) describes.";
        context.Response.StatusCode = bad.StatusCode;
        await TypedResults.Problem(detail, statusCode: bad.StatusCode, title: "The request could not be read.").ExecuteAsync(context);
        return true;
    }
}
