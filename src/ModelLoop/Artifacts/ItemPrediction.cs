namespace ModelLoop.Artifacts;

/// <summary>
/// One item's prediction as a user reads it. Classification: the class index, its label (class name) and the
/// probability of every class keyed by label. Regression: the values keyed by output name.
/// </summary>
public sealed record ItemPrediction
{
    /// <summary>The predicted class index (classification), else null.</summary>
    public int? Class { get; init; }
    /// <summary>The predicted class's name (classification), else null.</summary>
    public string? Label { get; init; }
    /// <summary>Label → probability (classification), else null.</summary>
    public IReadOnlyDictionary<string, double>? Probabilities { get; init; }
    /// <summary>Output name → value (regression), else null.</summary>
    public IReadOnlyDictionary<string, double>? Values { get; init; }
}
