namespace ModelLoop.Serving.Metering;

/// <summary>
/// What a quota or rate limit counts. A limit is (unit, amount): a unit added later (tokens, for language models) is one
/// more member here, one more usage column and two more tenant columns (per minute, per day), with no change to how
/// reservations work.
/// </summary>
public enum UsageUnit
{
    /// <summary>Predict requests, whatever their size.</summary>
    Requests,

    /// <summary>Items predicted: one row, record or image each.</summary>
    Items,

    /// <summary>Language models: tokens of the prompts read (/v1/completions, /v1/chat/completions).</summary>
    PromptTokens,

    /// <summary>Language models: tokens generated and sent.</summary>
    CompletionTokens,
}
