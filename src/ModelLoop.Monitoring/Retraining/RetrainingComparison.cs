using ModelLoop.Evaluation;

namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// The gate's evidence for one job: champion vs challenger on the held-out feedback (the challenger must be
/// <see cref="ComparisonVerdict.Better"/>, McNemar) and on the original test set (it may lose at most the policy's
/// tolerance), and the verdict. Stored as JSON with the job.
/// </summary>
/// <param name="Holdout">On the held-out recent labelled feedback, each model through its own pipeline.</param>
/// <param name="Original">On the test rows of the champion's recorded split.</param>
/// <param name="OriginalDrop">
/// How much worse the challenger is on the original test set: champion accuracy − challenger accuracy (regression:
/// the relative increase of the MSE); negative when it is better.
/// </param>
/// <param name="Tolerance">The policy's promotion tolerance the drop was held to.</param>
/// <param name="Promote">True when the holdout verdict is Better and the drop is within the tolerance.</param>
public sealed record RetrainingComparison(ComparisonResult Holdout, ComparisonResult Original, double OriginalDrop, double Tolerance, bool Promote);
