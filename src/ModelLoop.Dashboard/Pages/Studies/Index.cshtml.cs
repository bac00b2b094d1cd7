using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Dashboard.Pages.Studies;

/// <summary>/ui/studies: the tuning studies in studies.db with their trial count and best value.</summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();

    public IReadOnlyList<(StudyInfo Study, int Trials, double? Best)> Studies { get; private set; } = [];
    public string Home => stores.Home;

    public void OnGet()
    {
        if (stores.Studies is not { } storage)
            return;
        Studies = storage.ListStudies().Select(study =>
        {
            var trials = storage.GetTrials(study.Id);
            var values = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).Select(t => t.Value!.Value).ToList();
            return (study, trials.Count, values.Count == 0 ? (double?)null : study.Direction == StudyDirection.Maximize ? values.Max() : values.Min());
        }).ToList();
    }
}
