namespace ModelLoop.Contracts;

/// <summary>POST /v1/admin/tenants body: a display name, the models it may call ("*" for all), and optionally its rate limit and daily quota.</summary>
public sealed record CreateTenantRequest(string Name, IReadOnlyList<string> Models, int? RequestsPerMinute = null, long? DailyRequestQuota = null);
