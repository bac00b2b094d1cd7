using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Tracking;

namespace ModelLoop.Dashboard.Pages.Runs;

/// <summary>/ui/runs/detail/{id}: one run; a running run's curves grow live (server-sent events).</summary>
public sealed class DetailModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();

    public RunRecord Run { get; private set; } = null!;

    public IActionResult OnGet(string id)
    {
        try
        {
            Run = stores.Runs?.GetRun(id) ?? throw new KeyNotFoundException();
            return Page();
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }
    }
}
