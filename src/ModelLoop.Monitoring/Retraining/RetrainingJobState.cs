namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// Where a retraining job is: Pending → Training → Comparing → Promoted | Rejected, or Failed from any step. The
/// last three are final; a job in another state resumes from it when run again (after a crash or <c>kill -9</c>).
/// </summary>
public enum RetrainingJobState
{
    /// <summary>Recorded, nothing trained yet.</summary>
    Pending,
    /// <summary>The challenger is being trained (a checkpoint lets a killed run continue).</summary>
    Training,
    /// <summary>The challenger is registered; champion and challenger are being compared and the gate applied.</summary>
    Comparing,
    /// <summary>The challenger took the production and champion aliases.</summary>
    Promoted,
    /// <summary>The challenger was not better on the feedback, or worse beyond the tolerance on the original test set.</summary>
    Rejected,
    /// <summary>An error stopped the job; its message is recorded.</summary>
    Failed,
}
