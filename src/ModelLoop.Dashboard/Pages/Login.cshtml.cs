using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard.Pages;

/// <summary>
/// /ui/login: a key in, a session cookie out. Failed attempts are limited per client address (10 a minute), so keys
/// cannot be guessed at speed through the form.
/// </summary>
public sealed class LoginModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();

    private static readonly PartitionedRateLimiter<string> Failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "(unknown)";
        if (Failures.GetStatistics(address)?.CurrentAvailablePermits == 0)
        {
            Error = "Too many failed logins from this address in the last minute; wait a minute and try again with the right key.";
            return Page();
        }
        var stores = HttpContext.RequestServices.GetRequiredService<DashboardStores>();
        var principal = DashboardAuth.SignInFor(key ?? "", stores.AdminKey, tenants);
        if (principal is null)
        {
            using var _ = Failures.AttemptAcquire(address);
            Error = "This key is not valid (unknown or revoked). Paste the whole key, or ask the administrator for a new one.";
            return Page();
        }
        await HttpContext.SignInAsync(DashboardAuth.Scheme, principal, new AuthenticationProperties { IsPersistent = false });
        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/ui", StringComparison.Ordinal) ? url : "/ui/");
    }
}
