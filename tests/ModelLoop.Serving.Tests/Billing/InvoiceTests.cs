using ModelLoop.Contracts;
using ModelLoop.Serving.Billing;

namespace ModelLoop.Serving.Tests.Billing;

public sealed class InvoiceTests
{
    private static readonly BilledUnit[] Units = [BilledUnit.Requests, BilledUnit.Items, BilledUnit.PromptTokens, BilledUnit.CompletionTokens];
    private static readonly string[] Columns = ["requests", "items", "prompt_tokens", "completion_tokens"];

    [Fact]
    public void Invoice_quantities_reconcile_exactly_with_the_usage_table_per_tenant_and_unit()
    {
        using var db = new BillingDatabase();
        string[] tenants = ["t_a", "t_b", "t_c"];
        foreach (var tenant in tenants)
            db.AddTenant(tenant);
        var random = new Random(15);
        // Usage from 2026-10-31 to 2026-12-01, across the month boundaries, of three models and two versions.
        var start = BillingDatabase.At("2026-10-31T20:00Z");
        for (var i = 0; i < 400; i++)
        {
            var hour = start.AddHours(random.Next(0, 31 * 24 + 8));
            var model = new[] { "iris", "digits", "lm" }[random.Next(3)];
            db.AddUsage(tenants[random.Next(3)], model, random.Next(2) == 0 ? "1" : "2", hour.ToString("O"), random.Next(1, 50), random.Next(1, 5_000),
                model == "lm" ? random.Next(0, 20_000) : 0, model == "lm" ? random.Next(0, 9_000) : 0);
        }
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 0.40m, PerThousandRequests: 0.01m));
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 17), "EUR", PerThousandItems: 0.55m));
        db.Billing.SetPrice(new ModelPrice("lm", new DateOnly(2026, 11, 1), "EUR", PerThousandPromptTokens: 0.15m, PerThousandCompletionTokens: 0.60m));
        db.Billing.SetPlan(new BillingPlan("starter", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 29.90m, IncludedItems: 100_000, IncludedPromptTokens: 50_000));
        db.Billing.AssignPlan(new PlanAssignment("t_a", "starter", new DateOnly(2026, 11, 1)));

        var invoices = db.Billing.GetInvoices(BillingDatabase.November);

        Assert.Equal(tenants, invoices.Select(i => i.TenantId));
        foreach (var invoice in invoices)
        {
            for (var u = 0; u < Units.Length; u++)
            {
                var metered = db.Sum(invoice.TenantId, Columns[u], "2026-11-01", "2026-12-01");
                var lines = invoice.Lines.Where(l => l.Unit == Units[u]).ToList();
                Assert.Equal(metered, lines.Sum(l => l.Quantity));
                Assert.Equal(metered, lines.Sum(l => l.Included + l.Billable));
                // The plan's included amount is used up to what was metered, never more.
                var included = invoice.PlanId is null ? 0 : Units[u] switch { BilledUnit.Items => 100_000L, BilledUnit.PromptTokens => 50_000L, _ => 0L };
                Assert.Equal(Math.Min(included, metered), lines.Sum(l => l.Included));
            }
            foreach (var line in invoice.Lines)
                Assert.Equal(Math.Round(line.Billable * line.PricePerThousand / 1000m, 2, MidpointRounding.AwayFromZero), line.Amount);
            Assert.Equal(invoice.PlanFee + invoice.Lines.Sum(l => l.Amount), invoice.Total);
            Assert.Equal("EUR", invoice.Currency);
        }
        Assert.Equal(29.90m, invoices[0].PlanFee);
    }

    [Fact]
    public void Amounts_equal_the_usage_table_priced_independently_in_sql_per_price_period()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
            db.AddUsage("t_a", "iris", "1", BillingDatabase.At("2026-11-01").AddHours(random.Next(0, 30 * 24)).ToString("O"), random.Next(1, 9), random.Next(1, 3_000));
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 10, 20), "USD", PerThousandItems: 1.25m));
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 10), "USD", PerThousandItems: 0.8m, PerThousandRequests: 3m));

        var invoice = db.Billing.GetInvoice(BillingDatabase.November, "t_a");

        var before = db.Sum("t_a", "items", "2026-11-01", "2026-11-10");
        var after = db.Sum("t_a", "items", "2026-11-10", "2026-12-01");
        var requestsAfter = db.Sum("t_a", "requests", "2026-11-10", "2026-12-01");
        var expected = Math.Round(before * 1.25m / 1000m, 2, MidpointRounding.AwayFromZero)
                       + Math.Round(after * 0.8m / 1000m, 2, MidpointRounding.AwayFromZero)
                       + Math.Round(requestsAfter * 3m / 1000m, 2, MidpointRounding.AwayFromZero);
        Assert.Equal(expected, invoice.Total);
        Assert.Equal("USD", invoice.Currency);
    }

    [Fact]
    public void Usage_is_billed_in_the_utc_month_of_its_hour()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        db.AddUsage("t_a", "iris", "1", "2026-10-31T23:00Z", 1, 1_000);
        db.AddUsage("t_a", "iris", "1", "2026-11-01T00:00Z", 1, 20);
        db.AddUsage("t_a", "iris", "1", "2026-11-30T23:00Z", 1, 300);
        db.AddUsage("t_a", "iris", "1", "2026-12-01T00:00Z", 1, 4_000);
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 10, 1), "EUR", PerThousandItems: 1m));

        var october = db.Billing.GetInvoice(BillingMonth.Parse("2026-10", "m"), "t_a");
        var november = db.Billing.GetInvoice(BillingDatabase.November, "t_a");
        var december = db.Billing.GetInvoice(BillingMonth.Parse("2026-12", "m"), "t_a");

        Assert.Equal(1_000, Items(october));
        Assert.Equal(20 + 300, Items(november));
        Assert.Equal(4_000, Items(december));
        Assert.Equal(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), november.PeriodStartUtc);
        Assert.Equal(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), november.PeriodEndUtc);
        Assert.Equal(0.32m, november.Total);
    }

    [Fact]
    public void A_price_change_mid_month_splits_the_line_at_its_effective_date()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        db.AddUsage("t_a", "iris", "1", "2026-11-10T08:00Z", 3, 1_500);
        db.AddUsage("t_a", "iris", "1", "2026-11-15T23:00Z", 1, 500);
        db.AddUsage("t_a", "iris", "1", "2026-11-16T00:00Z", 2, 2_500);
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 1.00m));
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 16), "EUR", PerThousandItems: 2.00m));

        var items = db.Billing.GetInvoice(BillingDatabase.November, "t_a").Lines.Where(l => l.Unit == BilledUnit.Items).ToList();

        Assert.Equal(2, items.Count);
        Assert.Equal((BillingDatabase.At("2026-11-01"), BillingDatabase.At("2026-11-16"), 2_000L, 1.00m, 2.00m),
            (items[0].FromUtc, items[0].ToUtc, items[0].Quantity, items[0].PricePerThousand, items[0].Amount));
        Assert.Equal((BillingDatabase.At("2026-11-16"), BillingDatabase.At("2026-12-01"), 2_500L, 2.00m, 5.00m),
            (items[1].FromUtc, items[1].ToUtc, items[1].Quantity, items[1].PricePerThousand, items[1].Amount));
    }

    [Fact]
    public void Included_amounts_are_consumed_in_the_order_usage_happened()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        db.AddUsage("t_a", "iris", "1", "2026-11-05T10:00Z", 1, 700);   // later: gets what is left
        db.AddUsage("t_a", "digits", "1", "2026-11-03T10:00Z", 1, 600); // first: fully included
        db.AddUsage("t_a", "iris", "1", "2026-11-20T10:00Z", 1, 900);   // after the plan's items ran out
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 10m));
        db.Billing.SetPrice(new ModelPrice("digits", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 10m));
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 15), "EUR", PerThousandItems: 20m));
        db.Billing.SetPlan(new BillingPlan("starter", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 5m, IncludedItems: 1_000));
        db.Billing.AssignPlan(new PlanAssignment("t_a", "starter", new DateOnly(2026, 11, 1)));

        var items = db.Billing.GetInvoice(BillingDatabase.November, "t_a").Lines.Where(l => l.Unit == BilledUnit.Items)
            .ToDictionary(l => (l.Model, l.PriceEffectiveFrom!.Value.Day), l => (l.Included, l.Billable, l.Amount));

        Assert.Equal((600L, 0L, 0.00m), items[("digits", 1)]);
        Assert.Equal((400L, 300L, 3.00m), items[("iris", 1)]);
        Assert.Equal((0L, 900L, 18.00m), items[("iris", 15)]);
    }

    [Fact]
    public void A_tenant_with_no_usage_gets_an_invoice_of_its_plan_fee_only()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_quiet");
        db.AddTenant("t_later", createdUtc: "2026-12-03");
        db.Billing.SetPlan(new BillingPlan("pro", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 49.00m, IncludedItems: 100_000));
        db.Billing.AssignPlan(new PlanAssignment("t_quiet", "pro", new DateOnly(2026, 11, 1)));

        var invoices = db.Billing.GetInvoices(BillingDatabase.November);

        var invoice = Assert.Single(invoices); // t_later did not exist yet in November
        Assert.Equal(("t_quiet", "pro", "EUR"), (invoice.TenantId, invoice.PlanId, invoice.Currency));
        Assert.Empty(invoice.Lines);
        Assert.Equal((49.00m, 0.00m, 49.00m), (invoice.PlanFee, invoice.UsageAmount, invoice.Total));
        Assert.Equal("49.00", invoice.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Each_line_is_rounded_once_to_the_minor_unit_with_midpoints_away_from_zero()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_usd");
        db.AddTenant("t_jpy");
        db.AddUsage("t_usd", "iris", "1", "2026-11-02T00:00Z", 1, 5);    // 5 × 1.00 / 1000 = 0.005 → 0.01 (banker's: 0.00)
        db.AddUsage("t_usd", "digits", "1", "2026-11-02T00:00Z", 1, 5);  // 0.005 again: each line rounds, the total is 0.02 not round(0.010)
        db.AddUsage("t_jpy", "lm", "1", "2026-11-02T00:00Z", 1, 1, promptTokens: 1_500);  // 1,500 × 1 / 1000 = 1.5 JPY → 2
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "USD", PerThousandItems: 1m));
        db.Billing.SetPrice(new ModelPrice("digits", new DateOnly(2026, 11, 1), "USD", PerThousandItems: 1m));
        db.Billing.SetPrice(new ModelPrice("lm", new DateOnly(2026, 11, 1), "JPY", PerThousandPromptTokens: 1m));

        var usd = db.Billing.GetInvoice(BillingDatabase.November, "t_usd");
        var jpy = db.Billing.GetInvoice(BillingDatabase.November, "t_jpy");

        Assert.All(usd.Lines.Where(l => l.Unit == BilledUnit.Items), l => Assert.Equal(0.01m, l.Amount));
        Assert.Equal(0.02m, usd.Total);
        Assert.Equal(2m, jpy.Total);
        Assert.Equal("2", jpy.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_plan_and_a_price_in_different_currencies_are_refused_naming_both()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        db.AddUsage("t_a", "iris", "1", "2026-11-02T00:00Z", 1, 5);
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "USD", PerThousandItems: 1m));
        db.Billing.SetPlan(new BillingPlan("euro", new DateOnly(2026, 11, 1), "EUR"));
        db.Billing.AssignPlan(new PlanAssignment("t_a", "euro", new DateOnly(2026, 11, 1)));

        var error = Assert.Throws<BillingConflictException>(() => db.Billing.GetInvoice(BillingDatabase.November, "t_a"));

        Assert.Contains("USD", error.Message);
        Assert.Contains("plan 'euro' is in EUR", error.Message);
    }

    private static long Items(Invoice invoice) => invoice.Lines.Where(l => l.Unit == BilledUnit.Items).Sum(l => l.Quantity);
}
