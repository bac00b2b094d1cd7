namespace ModelLoop.Contracts;

/// <summary>
/// POST /v1/admin/tenants body: a display name, the models it may call ("*" for all), and optionally its limits:
/// requests per minute and per day, and items (inputs predicted: one row, record or image each) per minute and per day.
/// A request of 1,000 items counts 1 against the request limits and 1,000 against the item limits. Null: no limit
/// (requests per minute: the server's Serving:DefaultRequestsPerMinute). Language models also count tokens (prompt +
/// completion) against TokensPerMinute and DailyTokenQuota.
/// </summary>
public sealed record CreateTenantRequest(string Name, IReadOnlyList<string> Models, int? RequestsPerMinute = null, long? DailyRequestQuota = null,
    long? ItemsPerMinute = null, long? DailyItemQuota = null, long? TokensPerMinute = null, long? DailyTokenQuota = null);
