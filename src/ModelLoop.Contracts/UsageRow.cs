namespace ModelLoop.Contracts;

/// <summary>
/// GET /v1/usage: metered use of one model version by one tenant in one UTC hour ("2026-11-23T17:00Z"). Language models
/// also count the prompt tokens read and the completion tokens sent (0 for other models).
/// </summary>
public sealed record UsageRow(string TenantId, string Model, string Version, string HourUtc, long Requests, long Items, double ComputeMs,
    long PromptTokens = 0, long CompletionTokens = 0);
