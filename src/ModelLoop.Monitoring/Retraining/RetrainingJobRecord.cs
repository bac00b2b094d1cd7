namespace ModelLoop.Monitoring.Retraining;

/// <summary>One retraining job as <see cref="RetrainingStore"/> holds it.</summary>
/// <param name="Id">Its number in this home's store (1, 2, …).</param>
/// <param name="Key">A random id that names the job outside the store: the challenger's "retraining.job" tag and the alias history's reason.</param>
/// <param name="Model">The registry name.</param>
/// <param name="Trigger">What started it.</param>
/// <param name="Reason">Why it started, in words (the policy's decision, or who ran it).</param>
/// <param name="Mode">How the challenger is made.</param>
/// <param name="State">Where it is.</param>
/// <param name="Request">What it was asked to do (feedback paths, holdout, policy), as recorded at creation: a resumed job uses this.</param>
/// <param name="ChampionVersion">The production version when the job started: the one the challenger must beat.</param>
/// <param name="ChallengerVersion">The registered challenger, once trained.</param>
/// <param name="ComparisonJson">Both comparisons and the gate's numbers (<see cref="RetrainingComparison"/>), once compared.</param>
/// <param name="Decision">The gate's reason (promoted or rejected), or the error of a failed job.</param>
public sealed record RetrainingJobRecord(
    long Id,
    string Key,
    string Model,
    RetrainTrigger Trigger,
    string Reason,
    RetrainMode Mode,
    RetrainingJobState State,
    RetrainingRequest Request,
    int ChampionVersion,
    int? ChallengerVersion,
    string? ComparisonJson,
    string? Decision,
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc)
{
    /// <summary>Promoted, Rejected or Failed: nothing more happens to it.</summary>
    public bool IsFinished => State is RetrainingJobState.Promoted or RetrainingJobState.Rejected or RetrainingJobState.Failed;
}
