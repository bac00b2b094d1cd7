using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard;

/// <summary>
/// The dashboard's login: the admin key or a tenant's API key, typed once into the login form, is exchanged for an
/// HttpOnly, SameSite=Strict cookie (Secure over HTTPS) that ASP.NET Core protects with Data Protection. The cookie holds
/// the key's SHA-256, never the key, and every request re-checks it: a revoked key or a changed admin key ends the session.
/// </summary>
public static class DashboardAuth
{
    /// <summary>The cookie scheme's name (also the cookie's).</summary>
    public const string Scheme = "ModelLoop.Dashboard";
    /// <summary>Policy of every page: a logged-in user.</summary>
    public const string UserPolicy = "dashboard-user";
    /// <summary>Policy of the operator's pages and actions (runs, studies, monitoring, serving, promotion): the admin key.</summary>
    public const string AdminPolicy = "dashboard-admin";
    public const string AdminRole = "admin";

    internal static void Add(IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = Scheme;
            cookie.Cookie.Path = DashboardOptions.PathBase;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = DashboardOptions.PathBase + "/login";
            cookie.LogoutPath = DashboardOptions.PathBase + "/logout";
            cookie.AccessDeniedPath = DashboardOptions.PathBase + "/denied";
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = Validate;
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<DashboardOptions>>((cookie, options) => cookie.ExpireTimeSpan = options.Value.SessionLifetime);
        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireRole(AdminRole));
    }

    /// <summary>The user a key logs in as: the administrator, a tenant, or null (unknown or revoked key).</summary>
    internal static ClaimsPrincipal? SignInFor(string key, string? adminKey, TenantStore tenants)
    {
        key = key.Trim();
        if (key.Length == 0)
            return null;
        if (adminKey is { Length: > 0 } && ApiKeyMiddleware.FixedTimeEquals(key, adminKey))
            return Principal(DashboardUser.AdminId, "administrator", AdminRole, TenantStore.Hash(adminKey));
        var (status, tenant) = tenants.Authenticate(key);
        return status == TenantStore.KeyStatus.Valid && tenant is not null ? Principal(tenant.Id, tenant.Name, "tenant", TenantStore.Hash(key)) : null;
    }

    private static ClaimsPrincipal Principal(string id, string name, string role, string keyHash) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), new Claim(DashboardUser.KeyHashClaim, keyHash)],
        Scheme));

    // Runs on every request with a cookie: the key behind the session must still be valid.
    private static Task Validate(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var hash = principal?.FindFirstValue(DashboardUser.KeyHashClaim);
        var services = context.HttpContext.RequestServices;
        var valid = false;
        if (principal is not null && hash is not null)
        {
            if (principal.IsInRole(AdminRole))
                valid = services.GetRequiredService<DashboardStores>().AdminKey is { Length: > 0 } admin && TenantStore.Hash(admin) == hash;
            else
            {
                var (status, tenant) = services.GetRequiredService<TenantStore>().AuthenticateHash(hash);
                valid = status == TenantStore.KeyStatus.Valid && tenant?.Id == principal.FindFirstValue(ClaimTypes.NameIdentifier);
            }
        }
        if (!valid)
        {
            context.RejectPrincipal();
            return context.HttpContext.SignOutAsync(Scheme);
        }
        return Task.CompletedTask;
    }
}
