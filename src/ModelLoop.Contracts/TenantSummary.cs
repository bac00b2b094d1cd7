namespace ModelLoop.Contracts;

/// <summary>A tenant as GET /v1/admin/tenants lists it: the models it may call ("*" for all), its rate limit and its daily quota (null: none).</summary>
public sealed record TenantSummary(string Id, string Name, IReadOnlyList<string> Models, int RequestsPerMinute, long? DailyRequestQuota);
