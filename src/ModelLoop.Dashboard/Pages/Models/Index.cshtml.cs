using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Registry;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard.Pages.Models;

/// <summary>/ui/models: the registered models this user may see (a tenant: its granted ones).</summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();

    public IReadOnlyList<RegisteredModel> Models { get; private set; } = [];
    public bool IsAdmin { get; private set; }

    public void OnGet()
    {
        var user = DashboardUser.From(User);
        IsAdmin = user.IsAdmin;
        Models = stores.VisibleModels(user, tenants);
    }
}
