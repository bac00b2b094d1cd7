namespace ModelLoop.Language.Evaluation;

/// <summary>
/// A language model's scores on a list of documents: per document, and token-weighted over all of them (every token
/// counts once, so a long document weighs more than a short one, as in the training loss).
/// </summary>
public sealed record HeldOutScores(IReadOnlyList<DocumentScore> Documents)
{
    /// <summary>Tokens predicted in all.</summary>
    public long Tokens => Documents.Sum(d => (long)d.Tokens);

    /// <summary>Σ loss / Σ tokens over every document, in nats per token.</summary>
    public double MeanLoss => Documents.Sum(d => d.LossSum) / Tokens;

    /// <summary>exp(<see cref="MeanLoss"/>): the number of equally likely tokens the model is as unsure as.</summary>
    public double Perplexity => Math.Exp(MeanLoss);
}
