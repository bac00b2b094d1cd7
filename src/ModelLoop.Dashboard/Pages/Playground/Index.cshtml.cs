using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard.Pages.Playground;

/// <summary>/ui/playground: streams a completion from POST /v1/completions in the browser (the models offered: those this user may see).</summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();

    public IReadOnlyList<string> Models { get; private set; } = [];

    public void OnGet() => Models = stores.VisibleModels(DashboardUser.From(User), tenants).Select(m => m.Name).ToList();
}
