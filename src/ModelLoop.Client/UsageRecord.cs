namespace ModelLoop.Client;

/// <summary>Metered use of one model version by one tenant in one UTC hour.</summary>
public sealed record UsageRecord(string TenantId, string Model, string Version, string HourUtc, long Requests, long Items, double ComputeMs);
