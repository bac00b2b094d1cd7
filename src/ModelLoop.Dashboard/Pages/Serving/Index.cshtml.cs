using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Dashboard.Serving;

namespace ModelLoop.Dashboard.Pages.Serving;

/// <summary>/ui/serving: requests/s, p50/p99 latency, batch sizes and errors per model, from <see cref="ServingSampler"/> (JSON at /ui/serving/figures).</summary>
public sealed class IndexModel : PageModel
{
    public int IntervalSeconds => (int)ServingSampler.Interval.TotalSeconds;
    public int KeptMinutes => (int)(ServingSampler.Interval.TotalMinutes * ServingSampler.Kept);

    public void OnGet()
    {
    }
}
