namespace ModelLoop.Evaluation;

/// <summary>How per-class precision, recall, F1, ROC AUC or average precision become one number (as scikit-learn's <c>average=</c>).</summary>
public enum ClassAverage
{
    /// <summary>Unweighted mean over classes: every class counts the same, rare ones included.</summary>
    Macro,
    /// <summary>Counts pooled over classes first (for single-label multi-class precision, recall and F1 all equal accuracy).</summary>
    Micro,
    /// <summary>Mean over classes weighted by each class's support (its number of true samples).</summary>
    Weighted,
}
