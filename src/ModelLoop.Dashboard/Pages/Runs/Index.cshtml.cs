using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Tracking;

namespace ModelLoop.Dashboard.Pages.Runs;

/// <summary>/ui/runs?filter=…&amp;offset=…&amp;size=…: one page of the tracked runs matching a filter, newest first.</summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();

    [BindProperty(SupportsGet = true)]
    public string? Filter { get; set; }

    [BindProperty(SupportsGet = true)]
    public int Offset { get; set; }

    [BindProperty(SupportsGet = true)]
    public int Size { get; set; } = 50;

    public RunPage? Results { get; private set; }
    public string? Error { get; private set; }
    public string Home => stores.Home;

    public void OnGet()
    {
        Size = Math.Clamp(Size, 1, 1000);
        if (stores.Runs is not { } runs)
            return;
        try
        {
            Results = runs.Search(new RunQuery { Filter = Filter, Offset = Math.Max(0, Offset), Limit = Size });
        }
        catch (ArgumentException e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    public string PageLink(int offset) =>
        $"/ui/runs?filter={Uri.EscapeDataString(Filter ?? "")}&offset={offset}&size={Size}";
}
