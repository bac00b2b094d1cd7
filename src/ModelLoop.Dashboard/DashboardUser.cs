using System.Security.Claims;

namespace ModelLoop.Dashboard;

/// <summary>
/// Who is logged in, from the login cookie: the administrator, or one tenant. Every page asks this object — not the
/// URL or a form field — whose data it may show.
/// </summary>
public sealed record DashboardUser(string Id, string Name, bool IsAdmin)
{
    public const string AdminId = "admin";
    internal const string KeyHashClaim = "modelloop:key-sha256";

    /// <summary>The user of a request that passed the dashboard's login policy.</summary>
    public static DashboardUser From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The request has no dashboard login; the page must require the dashboard policy (DashboardAuth).");
        return new DashboardUser(id, principal.FindFirstValue(ClaimTypes.Name) ?? id, principal.IsInRole(DashboardAuth.AdminRole));
    }

    /// <summary>True when this user may see tenant <paramref name="tenantId"/>'s keys, usage and cost.</summary>
    public bool MaySeeTenant(string tenantId) => IsAdmin || Id == tenantId;
}
