using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ModelLoop.Serving.Api;

/// <summary>Reads a request's JSON body within a size bound, answering 413 or 400 ProblemDetails that say what to send.</summary>
internal static class JsonBody
{
    // Reads at most maxBytes (413 beyond) and parses JSON (400 with the parser's position when malformed).
    public static async Task<(JsonDocument? Body, ProblemHttpResult? Problem)> Read(HttpRequest request, long maxBytes, string example, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            return (null, Problems.TooLarge($"The body is {request.ContentLength} bytes; at most {maxBytes} are accepted. Send less per request."));
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                return (null, Problems.TooLarge($"The body is larger than {maxBytes} bytes, the most accepted. Send less per request."));
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
            return (null, Problems.BadInput($"The body is empty. Send a JSON object such as {example}."));
        try
        {
            buffer.Position = 0;
            return (await JsonDocument.ParseAsync(buffer, new JsonDocumentOptions { MaxDepth = 16 }, cancellationToken), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadInput($"The body is not valid JSON ({e.Message}). Send a JSON object such as {example}."));
        }
    }
}
