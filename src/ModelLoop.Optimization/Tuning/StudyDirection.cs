namespace ModelLoop.Optimization.Tuning;

/// <summary>Whether a study looks for the largest objective value (accuracy) or the smallest (loss).</summary>
public enum StudyDirection
{
    Maximize,
    Minimize,
}
