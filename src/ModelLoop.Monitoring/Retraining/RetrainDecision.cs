namespace ModelLoop.Monitoring.Retraining;

/// <summary>The answer of <see cref="RetrainingPolicy.Decide"/>: retrain or not, on which trigger, and why in one sentence.</summary>
/// <param name="Retrain">True to start a job now.</param>
/// <param name="Trigger">The trigger that fired; null when <paramref name="Retrain"/> is false.</param>
/// <param name="Reason">The numbers behind the answer, for the job record and the alias history.</param>
public sealed record RetrainDecision(bool Retrain, RetrainTrigger? Trigger, string Reason);
