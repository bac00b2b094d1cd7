using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ModelLoop.Dashboard.Pages;

/// <summary>/ui: the runs for the administrator, the models for a tenant.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect(DashboardUser.From(User).IsAdmin ? "/ui/runs" : "/ui/models");
}
