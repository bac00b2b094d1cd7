namespace ModelLoop.Contracts;

/// <summary>PUT /v1/admin/tenants/{id} body: the tenant's new grants, rate limit and daily quota (null: none); replaces all three.</summary>
public sealed record UpdateTenantRequest(IReadOnlyList<string> Models, int RequestsPerMinute, long? DailyRequestQuota = null);
