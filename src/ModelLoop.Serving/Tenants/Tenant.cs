namespace ModelLoop.Serving.Tenants;

/// <summary>
/// A customer of the API: the models it may see and call (<c>"*"</c> grants all), its rate limit and daily quota in
/// requests and, since one request may carry up to Serving:MaxItemsPerRequest items, its rate limit
/// (<see cref="ItemsPerMinute"/>) and daily quota (<see cref="DailyItemQuota"/>) in items (null: none). Each limit is one
/// (<see cref="Metering.UsageUnit"/>, amount) pair, so a unit such as tokens adds two more of the same kind.
/// </summary>
public sealed record Tenant(string Id, string Name, IReadOnlyList<string> Models, int RequestsPerMinute, long? DailyRequestQuota)
{
    /// <summary>Items (rows, records or images predicted) per minute; null: no limit. Defaults to null.</summary>
    public long? ItemsPerMinute { get; init; }

    /// <summary>Items per UTC day; null: no quota. Defaults to null.</summary>
    public long? DailyItemQuota { get; init; }

    /// <summary>Language-model tokens (prompt + completion) per minute; null: no limit. Defaults to null.</summary>
    public long? TokensPerMinute { get; init; }

    /// <summary>Language-model tokens (prompt + completion) per UTC day; null: no quota. Defaults to null.</summary>
    public long? DailyTokenQuota { get; init; }

    /// <summary>The built-in identity of the admin key and of keyless calls when keys are not required.</summary>
    internal bool IsAdmin { get; init; }

    internal static Tenant Admin { get; } = new("admin", "admin", ["*"], int.MaxValue, null) { IsAdmin = true };
    internal static Tenant Anonymous { get; } = new("anonymous", "anonymous", ["*"], int.MaxValue, null);

    public bool IsGranted(string model) => Models.Contains("*") || Models.Contains(model);
}
