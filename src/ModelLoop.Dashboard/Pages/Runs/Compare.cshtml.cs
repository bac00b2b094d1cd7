using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Tracking;

namespace ModelLoop.Dashboard.Pages.Runs;

/// <summary>/ui/runs/compare?id=A&amp;id=B: runs side by side (parameters, last metrics) and their curves on shared charts.</summary>
public sealed class CompareModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();

    /// <summary>Most runs on one comparison.</summary>
    public const int MaxRuns = 10;

    public IReadOnlyList<RunRecord> Runs { get; private set; } = [];

    public IActionResult OnGet([FromQuery] string[] id)
    {
        if (stores.Runs is not { } runs)
            return Page();
        try
        {
            Runs = id.Distinct().Take(MaxRuns).Select(runs.GetRun).ToList();
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }
        return Page();
    }
}
