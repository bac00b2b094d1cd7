namespace ModelLoop.Monitoring.Retraining;

/// <summary>What the monitoring side knows about a model at one moment, for <see cref="RetrainingPolicy.Decide"/>.</summary>
public sealed record RetrainSignals
{
    /// <summary>The moment of the decision (a parameter, so the decision is a pure function).</summary>
    public required DateTimeOffset Now { get; init; }
    /// <summary>When the drift monitor last raised an alarm for the production model. Defaults to null (none).</summary>
    public DateTimeOffset? DriftAlarmAt { get; init; }
    /// <summary>Accuracy on labelled live traffic. Defaults to null (not measured).</summary>
    public Drift.LiveAccuracy? LiveAccuracy { get; init; }
    /// <summary>The production model's accuracy on its test set (its package's test_accuracy). Defaults to null (unknown).</summary>
    public double? ChampionTestAccuracy { get; init; }
    /// <summary>Labels received since the last retraining job started (since the model was deployed when there was none). Defaults to 0.</summary>
    public int LabelsSinceLastJob { get; init; }
}
