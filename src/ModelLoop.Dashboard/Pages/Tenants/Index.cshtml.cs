using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard.Pages.Tenants;

/// <summary>/ui/tenants: every tenant for the administrator; a tenant goes straight to its own page.</summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();

    public IReadOnlyList<Tenant> Tenants { get; private set; } = [];

    public IActionResult OnGet()
    {
        var user = DashboardUser.From(User);
        if (!user.IsAdmin)
            return Redirect("/ui/tenants/detail/" + Uri.EscapeDataString(user.Id));
        Tenants = tenants.List();
        return Page();
    }
}
