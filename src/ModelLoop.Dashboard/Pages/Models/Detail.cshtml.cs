using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Registry;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard.Pages.Models;

/// <summary>
/// /ui/models/detail/{name}: versions, aliases and their history with reasons, the evaluation reports; promotion and
/// rollback for the administrator only (checked here, not only hidden), each with a reason and a confirmation.
/// </summary>
public sealed class DetailModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();

    public string Name { get; private set; } = "";
    public bool IsAdmin { get; private set; }
    public IReadOnlyList<ModelVersion> Versions { get; private set; } = [];
    public IReadOnlyDictionary<string, int> Aliases { get; private set; } = new Dictionary<string, int>();
    public IReadOnlyList<AliasChange> History { get; private set; } = [];
    public HashSet<int> Reports { get; } = [];
    public int? Report { get; private set; }
    public string? Message { get; private set; }
    public bool Failed { get; private set; }

    public IActionResult OnGet(string name, int? report) => Load(name, report) ? Page() : NotFound();

    public IActionResult OnPostPromote(string name, int version, string alias, string? reason, bool confirm) =>
        Change(name, confirm, reason, registry => registry.SetAlias(name, alias, version, reason, Actor()),
            change => $"{change.Alias} moved from {(change.FromVersion is { } from ? $"v{from}" : "nothing")} to v{change.ToVersion}.");

    public IActionResult OnPostRollback(string name, string alias, string? reason, bool confirm) =>
        Change(name, confirm, reason, registry => registry.Rollback(name, alias, reason, Actor()),
            change => $"{change.Alias} rolled back to v{change.ToVersion}.");

    private string Actor() => "dashboard:" + DashboardUser.From(User).Id;

    private IActionResult Change(string name, bool confirm, string? reason, Func<ModelRegistry, AliasChange> change, Func<AliasChange, string> done)
    {
        if (!DashboardUser.From(User).IsAdmin)
            return Forbid(DashboardAuth.Scheme);
        if (!Load(name, null))
            return NotFound();
        if (!confirm || string.IsNullOrWhiteSpace(reason))
        {
            (Failed, Message) = (true, "Nothing changed: give a reason and tick the confirmation box, then submit again.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        try
        {
            Message = done(change(stores.Registry!));
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            (Failed, Message) = (true, "Nothing changed: " + e.Message);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        Load(name, null);
        return Page();
    }

    private bool Load(string name, int? report)
    {
        var user = DashboardUser.From(User);
        IsAdmin = user.IsAdmin;
        var model = stores.VisibleModels(user, tenants).FirstOrDefault(m => m.Name == name);
        if (model is null)
            return false;
        var registry = stores.Registry!;
        Name = name;
        Versions = registry.ListVersions(name).OrderByDescending(v => v.Version).ToList();
        Aliases = registry.ListModels().First(m => m.Name == name).Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary();
        History = registry.History(name).OrderByDescending(h => h.Id).ToList();
        foreach (var version in Versions.Where(v => EvaluationReports.Find(stores, v) is not null))
            Reports.Add(version.Version);
        Report = report is { } r && Reports.Contains(r) ? r : null;
        return true;
    }
}
