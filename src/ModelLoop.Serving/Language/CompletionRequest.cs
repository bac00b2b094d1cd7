using System.Globalization;
using System.Text.Json;
using ModelLoop.Serving.Api;

namespace ModelLoop.Serving.Language;

/// <summary>
/// One /v1/completions or /v1/chat/completions body, read the way OpenAI's API reads it: <c>model</c> ("NAME" or
/// "NAME:VERSION", a version or alias), <c>prompt</c> (a string, or an array of one string) or <c>messages</c>
/// (role + content, applied through <see cref="ChatTemplate"/>), <c>max_tokens</c> (chat also <c>max_completion_tokens</c>),
/// <c>temperature</c> (0–2, defaults to 1; 0 is greedy), <c>top_p</c>, <c>stop</c> (a string or up to 4),
/// <c>n</c>, <c>seed</c>, <c>stream</c>, <c>stream_options.include_usage</c>, <c>user</c> (ignored). Penalties,
/// log probabilities, echo, suffix and best_of are accepted only at their no-op values. Any other member is refused
/// (400 naming it), as in every body this server reads. Each error names the field.
/// </summary>
internal sealed record CompletionRequest(string Model, string? Version, string Prompt, int? MaxTokens, double Temperature, double? TopP,
    IReadOnlyList<string> Stop, int N, long? Seed, bool Stream, bool IncludeUsage, bool Chat)
{
    private static readonly string[] Common =
        ["model", "max_tokens", "temperature", "top_p", "stop", "n", "seed", "stream", "stream_options", "user", "frequency_penalty", "presence_penalty", "logprobs"];
    private static readonly string[] CompletionFields = [.. Common, "prompt", "echo", "suffix", "best_of"];
    private static readonly string[] ChatFields = [.. Common, "messages", "max_completion_tokens", "top_logprobs"];

    /// <summary>The field the prompt came from, for errors about its length: "prompt" or "messages".</summary>
    public string PromptField => Chat ? "messages" : "prompt";

    /// <summary>Reads a body; throws <see cref="BadInputException"/> naming the first bad field.</summary>
    public static CompletionRequest Parse(JsonElement body, bool chat, LanguageServingOptions options)
    {
        var what = chat ? "a chat completion body" : "a completion body";
        if (body.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"The body must be a JSON object such as {Example(chat)}; received a JSON {body.ValueKind.ToString().ToLowerInvariant()}.");
        JsonFields.RequireKnown(body, chat ? ChatFields : CompletionFields, what);

        var model = String(body, "model") ?? throw new BadInputException($"\"model\" is required: the language model's name (GET /v1/openai/models lists yours), e.g. {Example(chat)}.");
        string? version = null;
        if (model.IndexOf(':') is var colon and > 0)
            (model, version) = (model[..colon], model[(colon + 1)..]);
        if (model.Length == 0 || version is { Length: 0 })
            throw new BadInputException($"\"model\" must be \"NAME\" or \"NAME:VERSION\"; received \"{String(body, "model")}\".");

        var prompt = chat ? ChatTemplate.Apply(Messages(body)) : ReadPrompt(body);
        var maxTokens = Integer(body, "max_tokens");
        if (chat && Integer(body, "max_completion_tokens") is { } completionTokens)
        {
            if (maxTokens is not null && maxTokens != completionTokens)
                throw new BadInputException($"\"max_tokens\" ({maxTokens}) and \"max_completion_tokens\" ({completionTokens}) disagree; send one of them.");
            maxTokens = completionTokens;
        }
        var tokensField = chat && body.TryGetProperty("max_completion_tokens", out _) ? "max_completion_tokens" : "max_tokens";
        if (maxTokens is < 1)
            throw new BadInputException($"\"{tokensField}\" must be at least 1; received {maxTokens}. Omit it for the default.");
        if (maxTokens > options.MaxTokensLimit)
            throw new BadInputException($"\"{tokensField}\" is {maxTokens}, over this server's limit of {options.MaxTokensLimit} (Serving:Language:MaxTokensLimit). Ask for at most {options.MaxTokensLimit}.");

        var temperature = Number(body, "temperature") ?? 1.0;
        if (temperature is < 0 or > 2)
            throw new BadInputException($"\"temperature\" must be between 0 and 2 (0: always the most likely token); received {Format(temperature)}.");
        var topP = Number(body, "top_p");
        if (topP is { } p && !(p > 0 && p <= 1))
            throw new BadInputException($"\"top_p\" must be in (0, 1]; received {Format(p)}.");

        var n = Integer(body, "n") ?? 1;
        if (n < 1 || n > options.MaxChoices)
            throw new BadInputException($"\"n\" must be between 1 and {options.MaxChoices} (Serving:Language:MaxChoices); received {n}.");
        var seed = Long(body, "seed");
        var stream = Boolean(body, "stream") ?? false;
        var includeUsage = false;
        if (body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind != JsonValueKind.Null)
        {
            if (!stream)
                throw new BadInputException("\"stream_options\" is only allowed with \"stream\": true.");
            if (streamOptions.ValueKind != JsonValueKind.Object)
                throw new BadInputException($"\"stream_options\" must be an object such as {{ \"include_usage\": true }}; received {streamOptions.GetRawText()}.");
            JsonFields.RequireKnown(streamOptions, ["include_usage"], "\"stream_options\"");
            includeUsage = Boolean(streamOptions, "include_usage") ?? false;
        }
        RequireNoOp(body, chat);
        var stop = Stops(body);
        return new CompletionRequest(model, version, prompt, maxTokens, temperature, topP is >= 1 ? null : topP, chat ? [.. stop, .. ChatTemplate.Stops] : stop,
            n, seed, stream, includeUsage, chat);
    }

    private static string Example(bool chat) => chat
        ? "{ \"model\": \"fortunes\", \"messages\": [{ \"role\": \"user\", \"content\": \"Hello\" }] }"
        : "{ \"model\": \"fortunes\", \"prompt\": \"Once upon a time\", \"max_tokens\": 32 }";

    private static string ReadPrompt(JsonElement body)
    {
        if (!body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
            return ""; // OpenAI's default prompt is <|endoftext|>: an unconditional sample
        if (prompt.ValueKind == JsonValueKind.String)
            return prompt.GetString()!;
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String)
            return prompt[0].GetString()!;
        throw new BadInputException($"\"prompt\" must be a string (or an array holding one string); received {Truncate(prompt.GetRawText())}. Send one prompt per request (use \"n\" for several completions of it).");
    }

    private static List<(string Role, string Content)> Messages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw new BadInputException($"\"messages\" is required: an array of {{ \"role\", \"content\" }} objects, e.g. [{{ \"role\": \"user\", \"content\": \"Hello\" }}]; received {(messages.ValueKind == JsonValueKind.Undefined ? "nothing" : Truncate(messages.GetRawText()))}.");
        if (messages.GetArrayLength() == 0)
            throw new BadInputException("\"messages\" is empty; send at least one message, e.g. [{ \"role\": \"user\", \"content\": \"Hello\" }].");
        var read = new List<(string, string)>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var where = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object)
                throw new BadInputException($"\"{where}\" must be an object {{ \"role\", \"content\" }}; received {Truncate(message.GetRawText())}.");
            JsonFields.RequireKnown(message, ["role", "content", "name"], $"\"{where}\"");
            var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : null;
            if (role is null || !ChatTemplate.Roles.Contains(role))
                throw new BadInputException($"\"{where}.role\" must be one of {string.Join(", ", ChatTemplate.Roles.Select(x => $"\"{x}\""))}; received {(role is null ? "nothing" : $"\"{role}\"")}.");
            read.Add((role, Content(message, where)));
        }
        return read;
    }

    // A message's content: a string, or an array of { "type": "text", "text" } parts (joined); anything else is refused.
    private static string Content(JsonElement message, string where)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            throw new BadInputException($"\"{where}.content\" is required: the message's text.");
        if (content.ValueKind == JsonValueKind.String)
            return content.GetString()!;
        if (content.ValueKind == JsonValueKind.Array)
        {
            var parts = new List<string>();
            foreach (var part in content.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                    || !part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw new BadInputException($"\"{where}.content\" parts must be {{ \"type\": \"text\", \"text\": \"…\" }}; these models read text only; received {Truncate(part.GetRawText())}.");
                parts.Add(text.GetString()!);
            }
            return string.Concat(parts);
        }
        throw new BadInputException($"\"{where}.content\" must be a string or an array of text parts; received {Truncate(content.GetRawText())}.");
    }

    private static List<string> Stops(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
            return [];
        List<string> stops = stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array when stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) => [.. stop.EnumerateArray().Select(s => s.GetString()!)],
            _ => throw new BadInputException($"\"stop\" must be a string or an array of up to 4 strings; received {Truncate(stop.GetRawText())}."),
        };
        if (stops.Count > 4 || stops.Any(s => s.Length == 0))
            throw new BadInputException($"\"stop\" holds {stops.Count} strings{(stops.Any(s => s.Length == 0) ? ", one of them empty" : "")}; send at most 4 non-empty strings.");
        return stops;
    }

    // Options OpenAI has and these models do not: accepted only at the value that changes nothing.
    private static void RequireNoOp(JsonElement body, bool chat)
    {
        foreach (var penalty in (string[])["frequency_penalty", "presence_penalty"])
        {
            if (Number(body, penalty) is { } value && value != 0)
                throw new BadInputException($"\"{penalty}\" is not supported by this server (received {Format(value)}); omit it or send 0.");
        }
        if (body.TryGetProperty("logprobs", out var logprobs) && logprobs.ValueKind is not (JsonValueKind.Null or JsonValueKind.False))
            throw new BadInputException($"\"logprobs\" is not supported by this server (received {Truncate(logprobs.GetRawText())}); omit it.");
        if (chat && body.TryGetProperty("top_logprobs", out var top) && top.ValueKind != JsonValueKind.Null)
            throw new BadInputException("\"top_logprobs\" is not supported by this server; omit it.");
        if (!chat && Boolean(body, "echo") == true)
            throw new BadInputException("\"echo\" is not supported by this server; omit it or send false.");
        if (!chat && body.TryGetProperty("suffix", out var suffix) && suffix.ValueKind != JsonValueKind.Null)
            throw new BadInputException("\"suffix\" is not supported by this server (no insertion); omit it.");
        if (!chat && Integer(body, "best_of") is { } bestOf && bestOf != (Integer(body, "n") ?? 1))
            throw new BadInputException($"\"best_of\" is not supported by this server (received {bestOf}); omit it.");
    }

    private static string? String(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new BadInputException($"\"{name}\" must be a string; received {Truncate(value.GetRawText())}.");

    private static double? Number(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? number
        : throw new BadInputException($"\"{name}\" must be a number; received {Truncate(value.GetRawText())}.");

    private static int? Integer(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number
        : throw new BadInputException($"\"{name}\" must be a whole number; received {Truncate(value.GetRawText())}.");

    private static long? Long(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
        : throw new BadInputException($"\"{name}\" must be a whole number; received {Truncate(value.GetRawText())}.");

    private static bool? Boolean(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new BadInputException($"\"{name}\" must be true or false; received {Truncate(value.GetRawText())}.");

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Truncate(string json) => json.Length <= 80 ? json : json[..77] + "…";
}
