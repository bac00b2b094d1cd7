namespace ModelLoop.Monitoring.Logging;

/// <summary>How long and how much the prediction log keeps (<see cref="PredictionLog.Prune"/>); null = no bound.</summary>
/// <param name="MaxAge">Requests older than this are deleted with their feedback.</param>
/// <param name="MaxBytes">Beyond this many bytes of rows, the oldest requests are deleted.</param>
public sealed record RetentionPolicy(TimeSpan? MaxAge, long? MaxBytes);
