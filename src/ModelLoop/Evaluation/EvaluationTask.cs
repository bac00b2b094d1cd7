namespace ModelLoop.Evaluation;

/// <summary>What a model predicts, which decides the metrics and plots of an evaluation.</summary>
public enum EvaluationTask
{
    /// <summary>Class indices (int64 labels); outputs are logits, or one probability for binary models.</summary>
    Classification,
    /// <summary>Real-valued targets.</summary>
    Regression,
    /// <summary>
    /// Next-token prediction on held-out text (ModelLoop.Language): loss and perplexity; its per-document plots and
    /// tables come as report sections, built with <see cref="EvaluationResult.FromSummary"/>.
    /// </summary>
    LanguageModeling,
}
