using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ModelLoop.Tracking;
using static Microsoft.Playwright.Assertions;

namespace ModelLoop.Dashboard.Tests.Browser;

/// <summary>The dashboard in a real browser: what an operator and a tenant do, with a screenshot of each page visited.</summary>
[Collection(DashboardCollection.Name)]
public sealed class BrowserTests(DashboardHost host, BrowserFixture browser)
{
    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardHost.Screenshots, name + ".png"), FullPage = true });

    [Fact]
    public async Task The_admin_finds_the_runs_compares_two_and_opens_a_report()
    {
        var page = await browser.LogIn(host.Url, DashboardHost.AdminKey);

        await page.GotoAsync("/ui/runs");
        await page.GetByLabel("Filter", new() { Exact = true }).FillAsync("params.seed >= 3 and status = Finished");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find runs" }).ClickAsync();
        var rows = page.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Shot(page, "runs");
        foreach (var checkbox in await page.GetByRole(AriaRole.Checkbox).AllAsync())
            await checkbox.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected" }).ClickAsync();
        await Expect(page.Locator("#compare-table thead th")).ToHaveCountAsync(3);
        await Expect(page.Locator("#curves figure canvas").First).ToBeVisibleAsync();
        await Expect(page.Locator("#compare-table")).ToContainTextAsync("params.seed");
        await Shot(page, "runs-compare");

        await page.GotoAsync("/ui/models/detail/m");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open report v1" }).ClickAsync();
        await Expect(page.FrameLocator("iframe.report").Locator("body")).ToContainTextAsync(new Regex("accuracy", RegexOptions.IgnoreCase));
        await Shot(page, "model-report");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_admin_promotes_a_version_and_sees_the_alias_move_then_rolls_it_back()
    {
        var page = await browser.LogIn(host.Url, DashboardHost.AdminKey);
        await page.GotoAsync("/ui/models/detail/m");
        var production = page.Locator("#aliases tr[data-alias=production] td");
        await Expect(production).ToHaveTextAsync("v1");

        await page.Locator("#promote-version").SelectOptionAsync("2");
        await page.Locator("#promote-alias").FillAsync("production");
        await page.Locator("#promote-reason").FillAsync("browser test: v2 is better");
        await page.Locator("#promote-confirm").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();

        await Expect(production).ToHaveTextAsync("v2");
        await Expect(page.Locator("#history")).ToContainTextAsync("browser test: v2 is better");
        Assert.Equal(2, host.Registry.GetAliasVersion("m", "production"));
        await Shot(page, "model-promoted");

        await page.Locator("#rollback-alias").SelectOptionAsync("production");
        await page.Locator("#rollback-reason").FillAsync("browser test: back to v1");
        await page.Locator("#rollback-confirm").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        await Expect(production).ToHaveTextAsync("v1");
        Assert.Equal(1, host.Registry.GetAliasVersion("m", "production"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_monitoring_and_serving_pages_update_while_traffic_flows()
    {
        var page = await browser.LogIn(host.Url, DashboardHost.AdminKey);
        await page.GotoAsync("/ui/monitoring?model=m&window=40"); // the detector needs 30 items a window
        var counter = page.Locator("#monitored-requests");
        await Expect(counter).ToBeVisibleAsync();
        var before = long.Parse(await counter.TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture);

        using var client = host.Client(host.Acme.Key);
        await DashboardHost.Traffic(client, 30, shift: 3, seed: 7);

        // htmx re-renders the live part every 2 s: the count grows without a reload.
        await page.WaitForFunctionAsync("n => Number(document.getElementById('monitored-requests')?.textContent) >= n", before + 30);
        await Expect(page.Locator("#drift-chart canvas")).ToBeVisibleAsync();
        Assert.True(await page.Locator("#drift-chart .u-legend .u-series").CountAsync() > 1, "The drift chart has no check's series.");
        await Shot(page, "monitoring");

        await DashboardHost.Traffic(client, 10, shift: 0, seed: 8);
        await page.GotoAsync("/ui/serving");
        await Expect(page.Locator("#serving-table tr[data-model=m]")).ToBeVisibleAsync();
        await Expect(page.Locator("#rps-chart canvas")).ToBeVisibleAsync();
        await Shot(page, "serving");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_running_runs_curves_grow_live_until_it_ends()
    {
        var runs = new RunStore(host.Home);
        var id = runs.StartRun("live-run", new Dictionary<string, string> { ["kind"] = "live" });
        for (var step = 1; step <= 3; step++)
            runs.LogMetrics(id, step, new Dictionary<string, double> { ["loss"] = 1.0 / step });
        var page = await browser.LogIn(host.Url, DashboardHost.AdminKey);
        await page.GotoAsync($"/ui/runs/detail/{id}");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('live-points').textContent) >= 3");

        for (var step = 4; step <= 6; step++)
            runs.LogMetrics(id, step, new Dictionary<string, double> { ["loss"] = 1.0 / step });
        await page.WaitForFunctionAsync("() => Number(document.getElementById('live-points').textContent) >= 6");
        await Shot(page, "run-live");
        runs.EndRun(id, RunStatus.Finished);

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Finished");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_sees_its_own_models_and_account_but_not_another_tenants()
    {
        var page = await browser.LogIn(host.Url, host.Acme.Key);

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "m", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "other", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Runs" })).ToHaveCountAsync(0);
        await Shot(page, "tenant-models");
        var other = await page.GotoAsync($"/ui/tenants/detail/{host.Globex.Id}");
        Assert.Equal(404, other!.Status);
        var runs = await page.GotoAsync("/ui/runs");
        await Expect(page.Locator("main")).ToContainTextAsync("needs the admin key");
        await page.GotoAsync("/ui/tenants");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Tenant acme");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("globex");
        await Shot(page, "tenant-account");
        await page.Context.CloseAsync();
    }

    public static TheoryData<string, string, bool> Pages => new()
    {
        { "runs", "/ui/runs", true }, { "models", "/ui/models", true }, { "model", "/ui/models/detail/m", true },
        { "studies", "/ui/studies", true }, { "study", "/ui/studies/detail/lr-study", true }, { "monitoring-page", "/ui/monitoring", true },
        { "serving-page", "/ui/serving", true }, { "tenants", "/ui/tenants", true }, { "playground", "/ui/playground", true },
        { "tenant-playground", "/ui/playground", false }, { "tenant-model", "/ui/models/detail/m", false },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_has_landmarks_labelled_inputs_and_a_skip_link_first_in_the_tab_order(string name, string path, bool admin)
    {
        var page = await browser.LogIn(host.Url, admin ? DashboardHost.AdminKey : host.Acme.Key);

        var response = await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await page.Keyboard.PressAsync("Tab");

        Assert.Equal(200, response!.Status);
        await Expect(page.GetByRole(AriaRole.Main)).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Dashboard" })).ToHaveCountAsync(1);
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
                .filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.outerHTML)
            """);
        Assert.Empty(unlabelled);
        Assert.Equal("skip", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        await Shot(page, "page-" + name);
        await page.Context.CloseAsync();
    }
}
