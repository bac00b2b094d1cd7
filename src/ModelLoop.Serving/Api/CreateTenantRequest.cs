namespace ModelLoop.Serving.Api;

/// <summary>POST /v1/admin/tenants body.</summary>
public sealed record CreateTenantRequest(string Name, IReadOnlyList<string> Models, int? RequestsPerMinute = null, long? DailyRequestQuota = null);
