using System.Globalization;

namespace ModelLoop.Serving.Tenants;

/// <summary>
/// Checks a tenant's grants, rate limits and quotas before they are stored: the admin API (PUT /v1/admin/tenants/{id})
/// and the dashboard's tenant form ask this one place. Each method returns what is wrong, naming the field and what was
/// received, or null when the values can be stored.
/// </summary>
internal static class TenantLimits
{
    /// <summary>The problem with the settings of an existing tenant (<see cref="TenantStore.Update"/>), or null.</summary>
    public static string? UpdateProblem(IReadOnlyList<string>? models, int requestsPerMinute, long? dailyRequestQuota,
        long? itemsPerMinute, long? dailyItemQuota, long? tokensPerMinute, long? dailyTokenQuota)
    {
        if (models is null || models.Count == 0)
            return "\"models\" must list at least one model name the tenant may call (or \"*\" for all); to stop a tenant, revoke its keys.";
        if (requestsPerMinute < 1 || dailyRequestQuota is < 1)
            return $"\"requestsPerMinute\" must be at least 1 and \"dailyRequestQuota\" at least 1 or null (no quota); received {requestsPerMinute} and {dailyRequestQuota}.";
        return ItemProblem(itemsPerMinute, dailyItemQuota) ?? TokenProblem(tokensPerMinute, dailyTokenQuota);
    }

    /// <summary>The problem with item limits (null: none), or null.</summary>
    public static string? ItemProblem(long? itemsPerMinute, long? dailyItemQuota) =>
        itemsPerMinute is < 1 || dailyItemQuota is < 1
            ? $"\"itemsPerMinute\" and \"dailyItemQuota\" must be at least 1 or null (no limit); received {Text(itemsPerMinute)} and {Text(dailyItemQuota)}."
            : null;

    /// <summary>The problem with token limits (null: none), or null.</summary>
    public static string? TokenProblem(long? tokensPerMinute, long? dailyTokenQuota) =>
        tokensPerMinute is < 1 || dailyTokenQuota is < 1
            ? $"\"tokensPerMinute\" and \"dailyTokenQuota\" must be at least 1 or null (no limit); received {Text(tokensPerMinute)} and {Text(dailyTokenQuota)}."
            : null;

    private static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "null";
}
