using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ModelLoop.Contracts;
using ModelLoop.Serving.Tests.Api;

namespace ModelLoop.Serving.Tests.Billing;

public sealed class BillingApiTests
{
    private static ServerHost Server(FakeTimeProvider clock) => new(services: s => s.AddSingleton<TimeProvider>(clock));

    [Fact]
    public async Task A_tenant_reads_its_own_invoice_with_its_key_but_not_another_tenants()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 10, 9, 30, 0, TimeSpan.Zero));
        using var server = Server(clock);
        var acme = await server.CreateTenant("acme", ["iris"]);
        var other = await server.CreateTenant("other", ["iris"]);
        using var admin = server.Client();
        (await admin.PostAsJsonAsync("/v1/admin/prices", new ModelPrice("iris", new DateOnly(2026, 12, 1), "EUR", PerThousandItems: 500m))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/v1/admin/plans", new BillingPlan("starter", new DateOnly(2026, 12, 1), "EUR", MonthlyFee: 19m))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/v1/admin/plan-assignments", new PlanAssignment(other.TenantId, "starter", new DateOnly(2026, 12, 1)))).EnsureSuccessStatusCode();
        using var acmeClient = server.Client(acme.Key);
        (await acmeClient.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { new[] { 1f, 2f, 3f, 4f }, new[] { 4f, 3f, 2f, 1f }, new[] { 1f, 1f, 1f, 1f } } })).EnsureSuccessStatusCode();

        var own = (await acmeClient.GetFromJsonAsync<Invoice>("/v1/invoices/2026-12"))!;
        var forbidden = await acmeClient.GetAsync($"/v1/invoices/2026-12?tenant={other.TenantId}");
        var adminOnly = await acmeClient.GetAsync("/v1/admin/invoices/2026-12");
        var all = (await admin.GetFromJsonAsync<Invoice[]>("/v1/admin/invoices/2026-12"))!;
        var csv = await acmeClient.GetStringAsync("/v1/invoices/2026-12?format=csv");

        Assert.Equal((acme.TenantId, "EUR", false), (own.TenantId, own.Currency, own.IsFinal));
        var items = Assert.Single(own.Lines, l => l.Unit == BilledUnit.Items);
        Assert.Equal((3L, 1.50m), (items.Quantity, items.Amount));
        Assert.Equal(1.50m, own.Total);
        await BadInputTests.AssertProblem(forbidden, 403, "only its own invoices");
        await BadInputTests.AssertProblem(adminOnly, 403, "admin key");
        Assert.Equal(new[] { acme.TenantId, other.TenantId }.Order(StringComparer.Ordinal), all.Select(i => i.TenantId));
        Assert.Equal(19m, all.Single(i => i.TenantId == other.TenantId).Total);
        Assert.DoesNotContain(other.TenantId, csv);
        Assert.Contains($"{acme.TenantId},acme,2026-12,EUR,,false,usage,iris,1,Items,", csv);
    }

    [Theory]
    [InlineData("""{ "model": "nope", "effectiveFrom": "2026-12-01", "currency": "EUR", "perThousandItems": 1 }""", "\"model\" 'nope'")]
    [InlineData("""{ "model": "iris", "effectiveFrom": "2026-12-01", "currency": "EUR", "perThousandItems": -0.5 }""", "\"perThousandItems\" must be 0 or more; received -0.5")]
    [InlineData("""{ "model": "iris", "effectiveFrom": "2026-12-01", "currency": "XYZ", "perThousandItems": 1 }""", "\"currency\" must be an ISO 4217 currency code")]
    [InlineData("""{ "model": "iris", "effectiveFrom": "2026-12-01", "currency": "EUR", "perThousandItem": 1 }""", "\"perThousandItem\" is not a field")]
    [InlineData("""{ "model": "iris", "currency": "EUR", "perThousandItems": 1 }""", "\"effectiveFrom\" is required")]
    public async Task A_bad_price_gets_400_naming_the_field(string body, string detail)
    {
        using var server = Server(new FakeTimeProvider(new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.Zero)));
        using var admin = server.Client();

        var response = await admin.PostAsync("/v1/admin/prices", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await BadInputTests.AssertProblem(response, 400, detail);
        Assert.Empty((await admin.GetFromJsonAsync<ModelPrice[]>("/v1/admin/prices"))!);
    }

    [Fact]
    public async Task A_bad_month_gets_400_and_a_change_to_an_ended_month_409()
    {
        using var server = Server(new FakeTimeProvider(new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.Zero)));
        using var admin = server.Client();

        var month = await admin.GetAsync("/v1/admin/invoices/2026-13");
        var format = await admin.GetAsync("/v1/admin/invoices/2026-12?format=xml");
        var ended = await admin.PostAsJsonAsync("/v1/admin/prices", new ModelPrice("iris", new DateOnly(2026, 11, 30), "EUR", PerThousandItems: 1m));
        var unknownTenant = await admin.GetAsync("/v1/admin/invoices/2026-12?tenant=t_nobody");

        await BadInputTests.AssertProblem(month, 400, "received '2026-13'");
        await BadInputTests.AssertProblem(format, 400, "?format= must be json or csv");
        await BadInputTests.AssertProblem(ended, 409, "a month that has ended");
        await BadInputTests.AssertProblem(unknownTenant, 404, "No tenant 't_nobody'");
    }
}
