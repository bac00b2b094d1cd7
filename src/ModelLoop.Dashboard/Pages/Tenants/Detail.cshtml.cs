using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ModelLoop.Contracts;
using ModelLoop.Serving.Billing;
using ModelLoop.Serving.Metering;
using ModelLoop.Serving.Tenants;
using ModelLoop.Storage;

namespace ModelLoop.Dashboard.Pages.Tenants;

/// <summary>
/// /ui/tenants/detail/{id}: a tenant's keys (create, revoke), grants, quotas, usage over time and this month's invoice (BillingService; CSV and JSON at /ui/tenants/{id}/invoices/{yyyy-MM}.csv|.json). The administrator
/// sees every tenant; a tenant only itself — any other id answers 404, decided here from the login, not from the URL.
/// A new key is rendered once, in the answer to the POST that created it (never stored, not cacheable). Only the
/// administrator changes grants and quotas (checked as the admin API checks them, <see cref="TenantLimits"/>); a change
/// that removes a grant needs its confirmation box.
/// </summary>
public sealed class DetailModel(IServiceProvider services) : PageModel
{
    // Resolved here (not constructor parameters): the stores are internal types and page models must be public.
    private readonly TenantStore tenants = services.GetRequiredService<TenantStore>();
    private readonly DashboardStores stores = services.GetRequiredService<DashboardStores>();
    private readonly SqliteDatabase servingDatabase = services.GetRequiredService<SqliteDatabase>();

    /// <summary>Days of usage the page shows.</summary>
    public const int UsageDays = 30;

    public Tenant Tenant { get; private set; } = null!;
    public IReadOnlyList<ApiKeyInfo> Keys { get; private set; } = [];
    public bool ManagesKeys => stores.ManagesKeys;
    public bool IsAdmin => DashboardUser.From(User).IsAdmin;

    /// <summary>The models this server serves (predictive and language models), offered as a hint in the grants form.</summary>
    public IReadOnlyList<string> ServedModels =>
        (services.GetService<ModelLoop.Serving.Catalog.IModelCatalog>()?.List().Select(m => m.Name) ?? [])
        .Concat(services.GetService<ModelLoop.Serving.Language.LanguageModelHost>()?.Catalog?.List().Select(m => m.Name) ?? [])
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    public string? NewKey { get; private set; }
    public string? NewKeyId { get; private set; }
    public string? Message { get; private set; }
    public bool Failed { get; private set; }
    public IReadOnlyList<UsageRow> UsageByModel { get; private set; } = [];
    public string UsageJson { get; private set; } = "[[],[],[]]";
    public BillingMonth Month { get; } = BillingMonth.Of(DateTime.UtcNow);
    /// <summary>This month's invoice so far (a draft until the month ends); null when the server has no billing or it failed (<see cref="CostProblem"/>).</summary>
    public Invoice? Invoice { get; private set; }
    public string? CostProblem { get; private set; }

    public IActionResult OnGet(string id) => Load(id) ? Page() : NotFound();

    public IActionResult OnPostCreateKey(string id)
    {
        if (!Load(id))
            return NotFound();
        if (!ManagesKeys)
            return Refuse("Keys are managed from the dashboard of the running server (modelloop serve), which checks them; nothing was created.");
        var (keyId, key) = tenants.AddKey(id)!.Value;
        (NewKeyId, NewKey) = (keyId, key);
        Response.Headers.CacheControl = "no-store";
        Load(id);
        return Page();
    }

    public IActionResult OnPostRevoke(string id, string keyId, bool confirm)
    {
        if (!Load(id))
            return NotFound();
        if (!ManagesKeys)
            return Refuse("Keys are managed from the dashboard of the running server (modelloop serve), which checks them; nothing was revoked.");
        if (tenants.KeyOwner(keyId) != id)
            return NotFound();
        if (!confirm)
            return Refuse($"Key {keyId} was not revoked: tick its confirmation box, then press Revoke.");
        tenants.Revoke(keyId);
        Message = $"Key {keyId} is revoked: calls with it now get 401.";
        Load(id);
        return Page();
    }

    /// <summary>Replaces the tenant's grants (comma-separated, * for all) and limits (empty: none); admin only.</summary>
    public IActionResult OnPostLimits(string id, string? models, string? requestsPerMinute, string? dailyRequestQuota, string? itemsPerMinute,
        string? dailyItemQuota, string? tokensPerMinute, string? dailyTokenQuota, bool confirm)
    {
        if (!Load(id))
            return NotFound();
        if (!IsAdmin)
            return Refuse("Only the administrator changes grants and quotas; nothing was changed.", StatusCodes.Status403Forbidden);
        if (!ManagesKeys)
            return Refuse("Grants and quotas are changed from the dashboard of the running server (modelloop serve), which enforces them; nothing was changed.");
        var granted = (models ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        var limits = new Dictionary<string, string?>
        {
            ["requestsPerMinute"] = requestsPerMinute, ["dailyRequestQuota"] = dailyRequestQuota, ["itemsPerMinute"] = itemsPerMinute,
            ["dailyItemQuota"] = dailyItemQuota, ["tokensPerMinute"] = tokensPerMinute, ["dailyTokenQuota"] = dailyTokenQuota,
        };
        var values = new Dictionary<string, long?>();
        foreach (var (field, text) in limits)
        {
            if (string.IsNullOrWhiteSpace(text))
                values[field] = null;
            else if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                values[field] = number;
            else
                return Refuse($"\"{field}\" must be a whole number of 1 or more{(field == "requestsPerMinute" ? "" : ", or empty for no limit")}; received '{text}'. Nothing was changed.");
        }
        if (values["requestsPerMinute"] is not { } rpm || rpm > int.MaxValue)
            return Refuse($"\"requestsPerMinute\" is required: a whole number from 1 to {int.MaxValue}; received '{requestsPerMinute}'. Nothing was changed.");
        if (TenantLimits.UpdateProblem(granted, (int)rpm, values["dailyRequestQuota"], values["itemsPerMinute"], values["dailyItemQuota"],
                values["tokensPerMinute"], values["dailyTokenQuota"]) is { } problem)
            return Refuse(problem + " Nothing was changed.");
        var removed = Tenant.Models.Except(granted, StringComparer.Ordinal).ToList();
        if (removed.Count > 0 && !confirm)
            return Refuse($"Nothing was changed: this removes the grant of {string.Join(", ", removed)}, so the tenant's calls to it would be refused. Tick \"confirm removing grants\", then save again.");
        tenants.Update(id, granted, (int)rpm, values["dailyRequestQuota"], values["itemsPerMinute"], values["dailyItemQuota"],
            values["tokensPerMinute"], values["dailyTokenQuota"]);
        Load(id);
        Message = $"Saved: {Tenant.Name} may call {string.Join(", ", Tenant.Models)}, {Tenant.RequestsPerMinute} requests per minute.";
        return Page();
    }

    private IActionResult Refuse(string message, int status = StatusCodes.Status400BadRequest)
    {
        (Failed, Message) = (true, message);
        Response.StatusCode = status;
        return Page();
    }

    private bool Load(string id)
    {
        if (!DashboardUser.From(User).MaySeeTenant(id) || tenants.Find(id) is not { } tenant)
            return false;
        Tenant = tenant;
        Keys = tenants.ListKeys(id);
        var since = DateTime.UtcNow.Date.AddDays(-UsageDays);
        var rows = servingDatabase.Read(c => UsageMeter.Query(c, id, since, null));
        UsageByModel = rows.GroupBy(r => (r.Model, r.Version))
            .Select(g => new UsageRow(id, g.Key.Model, g.Key.Version, "", g.Sum(r => r.Requests), g.Sum(r => r.Items), g.Sum(r => r.ComputeMs),
                g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens)))
            .OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Version, StringComparer.Ordinal).ToList();
        var hours = rows.GroupBy(r => r.HourUtc).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        UsageJson = JsonSerializer.Serialize(new object[]
        {
            hours.Select(g => (double)DateTimeOffset.Parse(g.Key, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds()),
            hours.Select(g => g.Sum(r => r.Requests)),
            hours.Select(g => g.Sum(r => r.Items)),
        });
        try
        {
            Invoice = services.GetService<BillingService>()?.GetInvoice(Month, id);
        }
        catch (Exception e) when (e is KeyNotFoundException or BillingConflictException)
        {
            CostProblem = e.Message;
        }
        return true;
    }
}
