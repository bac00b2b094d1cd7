using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Serving.Language;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard.Pages.Playground;

/// <summary>
/// /ui/playground: streams a completion from POST /v1/completions in the browser. The models offered are the language
/// models this server serves (its <see cref="ILanguageModelCatalog"/>) that the user may call: all of them for the
/// administrator, the granted ones for a tenant; none for <c>modelloop ui</c>, which serves no API.
/// </summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();

    public IReadOnlyList<string> Models { get; private set; } = [];

    public void OnGet()
    {
        var user = DashboardUser.From(User);
        var tenant = user.IsAdmin ? null : tenants.Find(user.Id);
        var served = services.GetService<LanguageModelHost>()?.Catalog?.List().Select(m => m.Name) ?? [];
        Models = served.Where(name => user.IsAdmin || tenant?.IsGranted(name) == true).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
