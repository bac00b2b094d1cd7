namespace ModelLoop.Language.Generation.Scheduling;

/// <summary>
/// What one of a submission's sequences (<see cref="Choice"/>, 0-based) produced since its last update: the text now
/// safe to send (may be empty on the final update), the tokens it has generated in all so far, and, on its last
/// update, why it ended.
/// </summary>
public sealed record GenerationUpdate(int Choice, string Text, int CompletionTokens, FinishReason? Finished);
