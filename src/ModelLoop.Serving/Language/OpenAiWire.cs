using System.Text.Json;
using ModelLoop.Language.Generation;

namespace ModelLoop.Serving.Language;

/// <summary>
/// OpenAI's response shapes, written directly (each is a few fixed members; records with a snake_case policy would need
/// their own serializer options beside the server's): <c>text_completion</c> and <c>chat.completion</c> answers, their
/// stream chunks, the usage object, the model list and a stream's error event.
/// </summary>
internal static class OpenAiWire
{
    /// <summary>One finished choice of an answer.</summary>
    public sealed record Choice(int Index, string Text, FinishReason? Finish);

    /// <summary>OpenAI's finish_reason: "length" for the token limit, "stop" for a stop string or end-of-text; null while running.</summary>
    public static string? FinishName(FinishReason? reason) => reason switch
    {
        null => null,
        FinishReason.Length => "length",
        _ => "stop",
    };

    /// <summary>The whole (non-streamed) answer.</summary>
    public static byte[] Answer(string id, bool chat, long created, string model, IReadOnlyList<Choice> choices, long promptTokens, long completionTokens) =>
        Write(json =>
        {
            Header(json, id, chat ? "chat.completion" : "text_completion", created, model);
            json.WriteStartArray("choices");
            foreach (var choice in choices)
            {
                json.WriteStartObject();
                json.WriteNumber("index", choice.Index);
                if (chat)
                {
                    json.WriteStartObject("message");
                    json.WriteString("role", "assistant");
                    json.WriteString("content", choice.Text);
                    json.WriteEndObject();
                }
                else
                    json.WriteString("text", choice.Text);
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", FinishName(choice.Finish) ?? "stop");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            Usage(json, promptTokens, completionTokens);
            json.WriteEndObject();
        });

    /// <summary>A stream chunk of one choice: its new text (chat: <c>delta.content</c>; the first chat chunk also carries the role).</summary>
    public static byte[] Chunk(string id, bool chat, long created, string model, int index, string text, FinishReason? finish, bool first = false) =>
        Write(json =>
        {
            Header(json, id, chat ? "chat.completion.chunk" : "text_completion", created, model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", index);
            if (chat)
            {
                json.WriteStartObject("delta");
                if (first)
                    json.WriteString("role", "assistant");
                if (finish is null || text.Length > 0)
                    json.WriteString("content", text);
                json.WriteEndObject();
            }
            else
                json.WriteString("text", text);
            json.WriteNull("logprobs");
            if (FinishName(finish) is { } name)
                json.WriteString("finish_reason", name);
            else
                json.WriteNull("finish_reason");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteNull("usage");
            json.WriteEndObject();
        });

    /// <summary>The last chunk when <c>stream_options.include_usage</c>: no choices, the request's usage.</summary>
    public static byte[] UsageChunk(string id, bool chat, long created, string model, long promptTokens, long completionTokens) =>
        Write(json =>
        {
            Header(json, id, chat ? "chat.completion.chunk" : "text_completion", created, model);
            json.WriteStartArray("choices");
            json.WriteEndArray();
            Usage(json, promptTokens, completionTokens);
            json.WriteEndObject();
        });

    /// <summary>An error inside a stream (after the 200 was sent): OpenAI's error object; the stream then ends with [DONE].</summary>
    public static byte[] Error(string message, string type) =>
        Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            json.WriteNull("param");
            json.WriteNull("code");
            json.WriteEndObject();
            json.WriteEndObject();
        });

    /// <summary>GET /v1/openai/models: <c>{ "object": "list", "data": [{ "id", "object": "model", "created", "owned_by" }] }</c>.</summary>
    public static byte[] ModelList(IEnumerable<string> ids) =>
        Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var id in ids)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("object", "model");
                json.WriteNumber("created", 0);
                json.WriteString("owned_by", "modelloop");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });

    private static void Header(Utf8JsonWriter json, string id, string kind, long created, string model)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", kind);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    private static void Usage(Utf8JsonWriter json, long promptTokens, long completionTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", promptTokens + completionTokens);
        json.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
            write(json);
        return buffer.ToArray();
    }
}
