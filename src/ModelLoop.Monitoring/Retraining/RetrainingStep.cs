namespace ModelLoop.Monitoring.Retraining;

/// <summary>One recorded step of a job: the state it entered (or stayed in) and what happened, in words.</summary>
public sealed record RetrainingStep(long JobId, RetrainingJobState State, string Message, DateTimeOffset AtUtc);
