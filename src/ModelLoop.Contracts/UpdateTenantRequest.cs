namespace ModelLoop.Contracts;

/// <summary>
/// PUT /v1/admin/tenants/{id} body: the tenant's new grants, request rate limit, daily request quota, item rate limit and
/// daily item quota (null: none); replaces all of them.
/// </summary>
public sealed record UpdateTenantRequest(IReadOnlyList<string> Models, int RequestsPerMinute, long? DailyRequestQuota = null,
    long? ItemsPerMinute = null, long? DailyItemQuota = null, long? TokensPerMinute = null, long? DailyTokenQuota = null);
