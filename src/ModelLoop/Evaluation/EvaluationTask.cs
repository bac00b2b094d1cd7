namespace ModelLoop.Evaluation;

/// <summary>What a model predicts, which decides the metrics and plots of an evaluation.</summary>
public enum EvaluationTask
{
    /// <summary>Class indices (int64 labels); outputs are logits, or one probability for binary models.</summary>
    Classification,
    /// <summary>Real-valued targets.</summary>
    Regression,
}
