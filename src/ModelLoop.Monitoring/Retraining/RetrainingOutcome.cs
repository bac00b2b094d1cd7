namespace ModelLoop.Monitoring.Retraining;

/// <summary>What <see cref="RetrainingJob.Run"/> ended with.</summary>
/// <param name="Job">The job as recorded last (state Promoted, Rejected or Failed).</param>
/// <param name="Comparison">The gate's evidence; null when the job failed before comparing.</param>
/// <param name="Steps">Every recorded step, including those of earlier runs of a resumed job.</param>
/// <param name="Resumed">True when this run continued a job an earlier run left unfinished.</param>
public sealed record RetrainingOutcome(RetrainingJobRecord Job, RetrainingComparison? Comparison, IReadOnlyList<RetrainingStep> Steps, bool Resumed)
{
    public bool Promoted => Job.State == RetrainingJobState.Promoted;
}
