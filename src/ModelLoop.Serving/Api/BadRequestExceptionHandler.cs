using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Turns ASP.NET Core's own bad-request errors (a body that does not bind, such as malformed JSON sent to
/// an admin endpoint, or a member the body's type does not define; a body over Kestrel's limit) into a 4xx
/// ProblemDetails instead of a 500.
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
        var detail = UnknownMember(context, bad.InnerException as JsonException)
            ?? $"{bad.Message.TrimEnd('.')}: {bad.InnerException?.Message ?? "the request could not be read"}. Send a JSON body as the OpenAPI document (/openapi/v1.json) describes.";
        context.Response.StatusCode = bad.StatusCode;
        await TypedResults.Problem(detail, statusCode: bad.StatusCode, title: "The request could not be read.").ExecuteAsync(context);
        return true;
    }

    // A body member its type does not define (JsonUnmappedMemberHandling.Disallow): System.Text.Json's message names the
    // .NET type; this one names the field and the fields the endpoint accepts, in the JSON names clients send.
    private static string? UnknownMember(HttpContext context, JsonException? json)
    {
        if (json?.Path is not { Length: > 2 } path || !path.StartsWith("$.", StringComparison.Ordinal) || path.IndexOfAny(['.', '['], 2) >= 0)
            return null;
        // The exception handler middleware clears the endpoint before handlers run; its feature keeps the one that failed.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } type)
            return null;
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var accepted = options.GetTypeInfo(type).Properties.Select(p => p.Name).ToList();
        var field = path[2..];
        return accepted.Contains(field, StringComparer.OrdinalIgnoreCase) ? null : JsonFields.Unknown(field, accepted, "this request's body");
    }
}
