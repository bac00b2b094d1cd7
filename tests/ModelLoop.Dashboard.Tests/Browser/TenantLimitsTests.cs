using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using ModelLoop.Contracts;
using static Microsoft.Playwright.Assertions;

namespace ModelLoop.Dashboard.Tests.Browser;

/// <summary>The administrator edits a tenant's grants and quotas on its page; the server then enforces them.</summary>
[Collection(DashboardCollection.Name)]
public sealed class TenantLimitsTests(DashboardHost host, BrowserFixture browser)
{
    private async Task<TenantSummary> Summary(string id)
    {
        using var admin = host.Client(DashboardHost.AdminKey);
        return (await admin.GetFromJsonAsync<TenantSummary[]>("/v1/admin/tenants"))!.Single(t => t.Id == id);
    }

    [Fact]
    public async Task The_admin_changes_grants_and_quotas_and_must_confirm_taking_a_model_away()
    {
        var tenant = await host.CreateTenant("editable", "m", "other");
        var page = await browser.LogIn(host.Url, DashboardHost.AdminKey);
        await page.GotoAsync($"/ui/tenants/detail/{tenant.Id}");

        async Task Submit(bool confirm)
        {
            await page.GetByText("Change grants and quotas").ClickAsync();
            await page.GetByLabel("Granted models").FillAsync($"m, {DashboardHost.LanguageModel}");
            await page.GetByLabel("Daily requests (empty: no quota)").FillAsync("500");
            await page.GetByLabel("Daily tokens (empty: no quota)").FillAsync("20000");
            if (confirm)
                await page.GetByLabel("confirm removing grants").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save grants and quotas" }).ClickAsync();
        }

        await Submit(confirm: false);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("removes the grant of other");
        await Expect(page.Locator("#grants")).ToHaveTextAsync("m, other");
        Assert.Equal(["m", "other"], (await Summary(tenant.Id)).Models);

        await Submit(confirm: true);
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Saved");
        await Expect(page.Locator("#grants")).ToHaveTextAsync($"m, {DashboardHost.LanguageModel}");
        await Expect(page.Locator("#limit-daily-requests")).ToHaveTextAsync("500");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardHost.Screenshots, "tenant-limits.png"), FullPage = true });
        var saved = await Summary(tenant.Id);
        Assert.Equal(["m", DashboardHost.LanguageModel], saved.Models);
        Assert.Equal((500L, 20_000L), (saved.DailyRequestQuota, saved.DailyTokenQuota));
        // Enforced at once: the model taken away no longer exists for the tenant's key (404, as any model not granted); m still answers.
        using var client = host.Client(tenant.Key);
        var refused = await client.PostAsJsonAsync("/v1/models/other/predict", new { record = new { x = 1.0, colour = "red" } });
        var kept = await client.PostAsJsonAsync("/v1/models/m/predict", new { record = new { x = 1.0, colour = "red" } });
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK), (refused.StatusCode, kept.StatusCode));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_sees_its_grants_and_quotas_but_no_form_to_change_them()
    {
        var page = await browser.LogIn(host.Url, host.Acme.Key);

        await page.GotoAsync($"/ui/tenants/detail/{host.Acme.Id}");

        await Expect(page.Locator("#grants")).ToHaveTextAsync("m");
        await Expect(page.Locator("#limits-form")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
