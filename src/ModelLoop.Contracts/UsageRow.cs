namespace ModelLoop.Contracts;

/// <summary>GET /v1/usage: metered use of one model version by one tenant in one UTC hour ("2026-11-23T17:00Z").</summary>
public sealed record UsageRow(string TenantId, string Model, string Version, string HourUtc, long Requests, long Items, double ComputeMs);
