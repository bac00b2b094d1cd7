namespace ModelLoop.Monitoring.Drift;

/// <summary>
/// The drift verdict on one window of monitored items (<see cref="DriftDetector.Detect"/>); a plain record that
/// serializes to JSON with System.Text.Json (enums as names, no NaN).
/// </summary>
public sealed record DriftReport
{
    /// <summary>Items in the window.</summary>
    public int WindowItems { get; init; }
    public DriftVerdict Verdict { get; init; }
    /// <summary>True when any check drifted (after the multiple-testing correction).</summary>
    public bool Alarm { get; init; }
    /// <summary>
    /// One number per window for plots, ≥ 1 exactly when <see cref="Alarm"/> is raised: the largest over the checks of
    /// log10(adjusted p) / log10(α) for a test and distance / threshold for a distance, capped at
    /// <see cref="DriftDetectorOptions.ScoreCap"/>. 0 for a window without a verdict.
    /// </summary>
    public double Score { get; init; }
    /// <summary>The family-wise α the tests were held to.</summary>
    public double Alpha { get; init; }
    /// <summary>One check per reference feature, in the reference's order.</summary>
    public IReadOnlyList<DriftCheck> Features { get; init; } = [];
    /// <summary>Embedding drift, when both the reference and the window have embeddings.</summary>
    public DriftCheck? Embedding { get; init; }
    /// <summary>Predicted-class drift (classification).</summary>
    public DriftCheck? PredictedClass { get; init; }
    /// <summary>Confidence drift (classification).</summary>
    public DriftCheck? Confidence { get; init; }
    /// <summary>Predicted-value drift (regression).</summary>
    public DriftCheck? PredictedValue { get; init; }
    /// <summary>Why the alarm was raised (one line per drifted check), or why there is no verdict.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>Every check of the window: features, then embedding, predicted class, confidence, predicted value.</summary>
    public IEnumerable<DriftCheck> AllChecks() =>
        Features.Concat(new[] { Embedding, PredictedClass, Confidence, PredictedValue }.OfType<DriftCheck>());
}
