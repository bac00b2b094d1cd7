namespace ModelLoop.Serving.Tenants;

/// <summary>
/// A customer of the API: the models it may see and call (<c>"*"</c> grants all), its rate limit and its
/// daily request quota (null: none).
/// </summary>
public sealed record Tenant(string Id, string Name, IReadOnlyList<string> Models, int RequestsPerMinute, long? DailyRequestQuota)
{
    /// <summary>The built-in identity of the admin key and of keyless calls when keys are not required.</summary>
    internal bool IsAdmin { get; init; }

    internal static Tenant Admin { get; } = new("admin", "admin", ["*"], int.MaxValue, null) { IsAdmin = true };
    internal static Tenant Anonymous { get; } = new("anonymous", "anonymous", ["*"], int.MaxValue, null);

    public bool IsGranted(string model) => Models.Contains("*") || Models.Contains(model);
}
