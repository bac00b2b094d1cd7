using System.Net.Http.Json;
using ModelLoop.Contracts;
using ModelLoop.Serving.Tests.Api;
using ModelLoop.Serving.Tests.Language;

namespace ModelLoop.Serving.Tests.Billing;

public sealed class LanguageModelPriceTests
{
    // Next month's first day: open for prices whatever day the test runs.
    private static DateOnly NextMonth()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return new DateOnly(today.Year, today.Month, 1).AddMonths(1);
    }

    [Fact]
    public async Task A_served_language_model_can_be_priced_before_its_first_use()
    {
        using var lm = new LanguageServer();
        using var admin = lm.Server.Client();
        var price = new ModelPrice(LanguageServer.ModelName, NextMonth(), "EUR", PerThousandPromptTokens: 0.02m, PerThousandCompletionTokens: 0.06m);

        var response = await admin.PostAsJsonAsync("/v1/admin/prices", price);

        response.EnsureSuccessStatusCode();
        Assert.Equal(price, Assert.Single((await admin.GetFromJsonAsync<ModelPrice[]>($"/v1/admin/prices?model={LanguageServer.ModelName}"))!));
    }

    [Fact]
    public async Task A_language_model_the_server_does_not_serve_is_still_refused()
    {
        using var lm = new LanguageServer();
        using var admin = lm.Server.Client();

        var response = await admin.PostAsJsonAsync("/v1/admin/prices", new ModelPrice("tiny-lm-typo", NextMonth(), "EUR", PerThousandPromptTokens: 0.02m));

        await BadInputTests.AssertProblem(response, 400, "\"model\" 'tiny-lm-typo' is not a model this server serves");
    }
}
