using Microsoft.Playwright;

namespace ModelLoop.Dashboard.Tests.Browser;

/// <summary>
/// One headless chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright (no browser download;
/// `./build.sh test` installs the package when it is missing). CHROMIUM_PATH overrides the path.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"No chromium at {ExecutablePath}. Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH to a chromium executable.");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
    }

    /// <summary>A fresh page (own cookies) on <paramref name="baseUrl"/>, logged in with <paramref name="key"/>.</summary>
    public async Task<IPage> LogIn(string baseUrl, string key)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(30_000); // generous: the shared CI machine can be loaded many times over
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ui/login");
        await page.GetByLabel("API key or admin key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/ui/login", StringComparison.Ordinal));
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
