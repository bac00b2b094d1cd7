namespace ModelLoop.Language.Generation;

/// <summary>
/// What one prompt generated: the text (without the end-of-text token or stop string), the generated token ids
/// (without end-of-text; they may run past the stop string's start, whose text is cut), the prompt's token count, and why it ended.
/// </summary>
public sealed record GenerationResult(string Text, IReadOnlyList<int> TokenIds, int PromptTokens, FinishReason FinishReason);
