using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ModelLoop.Language.Generation;
using static Microsoft.Playwright.Assertions;

namespace ModelLoop.Dashboard.Tests.Browser;

/// <summary>The playground against the server's real /v1/completions stream (the host serves a tiny character-level GPT).</summary>
[Collection(DashboardCollection.Name)]
public sealed class PlaygroundTests(DashboardHost host, BrowserFixture browser)
{
    [Fact]
    public async Task A_tenant_streams_a_completion_of_the_served_language_model_and_sees_the_tokens_arrive()
    {
        const string Prompt = "Once upon";
        const int MaxTokens = 24;
        var writer = await host.CreateTenant("writer", DashboardHost.LanguageModel);
        var expected = new TextGenerator(host.LanguageWeights, host.LanguageTokenizer).Generate(Prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = MaxTokens }).Text;
        var page = await browser.LogIn(host.Url, writer.Key);

        await page.GotoAsync("/ui/playground");
        await Expect(page.Locator("#pg-model option")).ToHaveTextAsync([DashboardHost.LanguageModel]);
        await page.Locator("#pg-key").FillAsync(writer.Key);
        await page.Locator("#pg-prompt").FillAsync(Prompt);
        await page.Locator("#pg-max").FillAsync(MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#pg-temperature").FillAsync("0");
        // Every change of the completion's text, as the chunks of the stream are appended one by one.
        await page.EvaluateAsync("""
            () => { window.completionChanges = 0;
                    new MutationObserver(list => window.completionChanges += list.length)
                        .observe(document.getElementById("pg-out"), { childList: true, characterData: true, subtree: true }); }
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

        await Expect(page.Locator("#pg-status")).ToHaveTextAsync(new Regex(@"^Done: \d+ chunk"));
        Assert.Equal(expected, await page.Locator("#pg-out").TextContentAsync());
        Assert.True(await page.EvaluateAsync<int>("() => window.completionChanges") > 1, "The completion arrived in one piece, not streamed.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardHost.Screenshots, "playground-streamed.png"), FullPage = true });
        // Metered to the tenant whose key was entered, in tokens: its page shows them.
        await page.GotoAsync($"/ui/tenants/detail/{writer.Id}");
        await Expect(page.Locator($"#usage tr[data-model='{DashboardHost.LanguageModel}'] td.completion-tokens")).ToHaveTextAsync(new Regex("^[1-9]"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_is_offered_only_the_language_models_granted_to_it()
    {
        var page = await browser.LogIn(host.Url, host.Acme.Key); // granted m, a predictive model only

        await page.GotoAsync("/ui/playground");

        await Expect(page.Locator("#pg-model option")).ToHaveCountAsync(0);
        await Expect(page.Locator("#pg-none")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
