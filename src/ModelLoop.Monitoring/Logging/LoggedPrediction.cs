namespace ModelLoop.Monitoring.Logging;

/// <summary>One logged predict request as <see cref="PredictionLog.Read"/> returns it, with its items (and their feedback).</summary>
public sealed record LoggedPrediction(string RequestId, string TenantId, string Model, string Version, DateTimeOffset TimeUtc,
    double LatencyMs, InputStorage Storage, InputFormat Format, IReadOnlyList<long> ItemShape, IReadOnlyList<LoggedItem> Items);
