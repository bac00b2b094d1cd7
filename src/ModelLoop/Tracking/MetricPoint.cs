namespace ModelLoop.Tracking;

/// <summary>One value of a metric at a step (an epoch number for epoch metrics, a global batch index for "batch/…").</summary>
public sealed record MetricPoint(long Step, double Value, DateTimeOffset AtUtc);
