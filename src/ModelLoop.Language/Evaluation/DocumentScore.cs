namespace ModelLoop.Language.Evaluation;

/// <summary>
/// One held-out document scored by a language model: the next-token cross-entropy summed over its tokens (nats) and how
/// many tokens were predicted — every token of the document and the end-of-text after it, each from the tokens before
/// it in the same window.
/// </summary>
/// <param name="Index">The document's position in the list scored.</param>
/// <param name="Source">Where it came from (the fortunes category, the file).</param>
/// <param name="Tokens">Tokens predicted.</param>
/// <param name="LossSum">Σ −log p(token | prefix) over them, in nats.</param>
public sealed record DocumentScore(int Index, string Source, int Tokens, double LossSum)
{
    /// <summary>Mean loss per token of this document.</summary>
    public double MeanLoss => LossSum / Tokens;
}
