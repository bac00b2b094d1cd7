using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>
/// What an invoice line counts, written as "Requests", "Items", "PromptTokens" or "CompletionTokens": the metered
/// columns of the usage table (requests, items, prompt_tokens, completion_tokens). Every unit is priced per 1,000.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<BilledUnit>))]
public enum BilledUnit
{
    /// <summary>Predict requests, whatever their size.</summary>
    Requests,
    /// <summary>Items predicted: one row, record or image each.</summary>
    Items,
    /// <summary>Tokens a language model read (the prompt).</summary>
    PromptTokens,
    /// <summary>Tokens a language model generated (the completion).</summary>
    CompletionTokens,
}
