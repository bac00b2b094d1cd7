using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Retraining;

namespace ModelLoop.Dashboard.Pages.Monitoring;

/// <summary>
/// /ui/monitoring?model=NAME: drift per feature over time, live accuracy on feedback, alarms and retraining jobs, from the
/// prediction log and the registry's reference profiles (<see cref="LiveMonitor"/>, as GET /v1/models/{name}/monitoring).
/// The live part re-renders every 2 s (htmx polls <c>?handler=Live</c>) while traffic flows.
/// </summary>
public sealed class IndexModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();

    /// <summary>Prediction-log time the page evaluates: the last 24 hours.</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromHours(24);

    [BindProperty(SupportsGet = true)]
    public string? Model { get; set; }

    /// <summary>Logged items per drift window (and the step between windows). Defaults to 200.</summary>
    [BindProperty(SupportsGet = true)]
    public int Window { get; set; } = 200;

    public IReadOnlyList<string> Models { get; private set; } = [];
    public bool FragmentOnly { get; private set; }
    public MonitoringReport? Report { get; private set; }
    public string? Problem { get; private set; }
    public IReadOnlyList<RetrainingJobRecord> Jobs { get; private set; } = [];
    public string ChartJson { get; private set; } = "{}";

    public void OnGet() => Load();

    public IActionResult OnGetLive()
    {
        FragmentOnly = true;
        Load();
        return Page();
    }

    private void Load()
    {
        var registry = stores.Registry;
        Models = registry?.ListModels().Select(m => m.Name).ToList() ?? [];
        Model = Model is not null && Models.Contains(Model) ? Model : Models.FirstOrDefault();
        if (registry is null || Model is null)
            return;
        Jobs = stores.Retraining?.List(Model).OrderByDescending(j => j.Id).Take(20).ToList() ?? [];
        if (stores.PredictionLog is not { } log)
        {
            Problem = "No prediction log: start the server with `modelloop serve --log-predictions` to monitor drift and live accuracy.";
            return;
        }
        try
        {
            var options = new MonitoringOptions { WindowSize = Window, Step = Window };
            options.Validate();
            Report = LiveMonitor.ForRegistry(registry, Model, options).Evaluate(log, Model, DateTimeOffset.UtcNow - Lookback);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FileNotFoundException or InvalidDataException)
        {
            Problem = $"Cannot evaluate {Model}'s drift: {e.Message}";
            return;
        }
        var features = Report.Windows.SelectMany(w => w.Drift.AllChecks().Select(f => f.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        var times = Report.Windows.Select(w => (double)w.End.ToUnixTimeSeconds()).ToList();
        var drift = new List<object> { times };
        drift.AddRange(features.Select(name => Report.Windows.Select(w => w.Drift.AllChecks().FirstOrDefault(f => f.Name == name)?.Statistic).ToList()));
        var accuracy = new List<object> { times, Report.Windows.Select(w => w.Accuracy is { Total: > 0 } a ? (double?)a.Correct / a.Total : null).ToList() };
        ChartJson = JsonSerializer.Serialize(new { features, drift, accuracy }).Replace("</", "<\\/", StringComparison.Ordinal);
    }
}
