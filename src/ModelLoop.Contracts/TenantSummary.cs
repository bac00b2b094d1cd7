namespace ModelLoop.Contracts;

/// <summary>
/// A tenant as GET /v1/admin/tenants lists it: the models it may call ("*" for all), its request rate limit and daily
/// request quota, and its item rate limit and daily item quota (null: none).
/// </summary>
public sealed record TenantSummary(string Id, string Name, IReadOnlyList<string> Models, int RequestsPerMinute, long? DailyRequestQuota,
    long? ItemsPerMinute = null, long? DailyItemQuota = null, long? TokensPerMinute = null, long? DailyTokenQuota = null);
