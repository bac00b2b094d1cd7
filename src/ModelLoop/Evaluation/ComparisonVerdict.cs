namespace ModelLoop.Evaluation;

/// <summary>The outcome of champion vs challenger, from the challenger's side.</summary>
public enum ComparisonVerdict
{
    /// <summary>The challenger is significantly better: promote it.</summary>
    Better,
    /// <summary>No significant difference at the chosen level: keep the champion.</summary>
    NotSignificantlyDifferent,
    /// <summary>The challenger is significantly worse.</summary>
    Worse,
}
