using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Dashboard.Pages.Studies;

/// <summary>/ui/studies/detail/{name}: trials, the optimization history (value and best so far per trial) and parameter importance.</summary>
public sealed class DetailModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, long, int, DateTimeOffset?), IReadOnlyList<KeyValuePair<string, double>>> ImportanceCache = new();

    public StudyInfo Study { get; private set; } = null!;
    public IReadOnlyList<TrialRecord> Trials { get; private set; } = [];
    public TrialRecord? Best { get; private set; }
    public IReadOnlyList<KeyValuePair<string, double>> Importance { get; private set; } = [];
    public string HistoryJson { get; private set; } = "[[],[],[]]";

    public IActionResult OnGet(string name)
    {
        if (stores.Studies?.Find(name) is not { } study)
            return NotFound();
        Study = study;
        Trials = stores.Studies!.GetTrials(study.Id).OrderBy(t => t.Number).ToList();
        var maximize = study.Direction == StudyDirection.Maximize;
        var complete = Trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        Best = complete.Count == 0 ? null : maximize ? complete.MaxBy(t => t.Value) : complete.MinBy(t => t.Value);
        if (complete.Count >= 2)
        {
            try
            {
                // A forest of 64 trees takes a second or more for 100 trials: computed once per set of finished trials.
                var key = (stores.Studies!.Path, study.Id, complete.Count, Trials.Max(t => t.Finished));
                Importance = ImportanceCache.GetOrAdd(key, _ => ParameterImportance.Evaluate(SearchSpace.Parse(JsonNode.Parse(study.Space)), Trials));
                if (ImportanceCache.Count > 64)
                    ImportanceCache.Clear();
            }
            catch (ArgumentException)
            {
                Importance = []; // a space this version cannot read: the trials still show
            }
        }
        // uPlot columns: trial numbers, values (null when none), best so far.
        double? best = null;
        var xs = new List<double>();
        var values = new List<double?>();
        var bests = new List<double?>();
        foreach (var t in Trials)
        {
            xs.Add(t.Number);
            values.Add(t.State == TrialState.Complete ? t.Value : null);
            if (t.State == TrialState.Complete && t.Value is { } v)
                best = best is null ? v : maximize ? Math.Max(best.Value, v) : Math.Min(best.Value, v);
            bests.Add(best);
        }
        HistoryJson = JsonSerializer.Serialize(new object[] { xs, values, bests }).Replace("</", "<\\/", StringComparison.Ordinal);
        return Page();
    }
}
