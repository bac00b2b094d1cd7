using ModelLoop.Contracts;
using ModelLoop.Serving.Billing;

namespace ModelLoop.Serving.Tests.Billing;

public sealed class PriceChangeTests
{
    [Fact]
    public void Changes_effective_in_an_ended_month_are_refused_and_its_invoice_stays_the_same()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        db.AddUsage("t_a", "iris", "1", "2026-11-12T09:00Z", 4, 2_000);
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 1m));
        db.Billing.SetPlan(new BillingPlan("basic", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 10m));
        db.Billing.AssignPlan(new PlanAssignment("t_a", "basic", new DateOnly(2026, 11, 1)));
        db.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var issued = db.Billing.GetInvoice(BillingDatabase.November, "t_a");

        var price = Assert.Throws<BillingConflictException>(() => db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 20), "EUR", PerThousandItems: 9m)));
        Assert.Throws<BillingConflictException>(() => db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 9m)));
        Assert.Throws<BillingConflictException>(() => db.Billing.RemovePrice("iris", new DateOnly(2026, 11, 1)));
        Assert.Throws<BillingConflictException>(() => db.Billing.SetPlan(new BillingPlan("basic", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 99m)));
        Assert.Throws<BillingConflictException>(() => db.Billing.AssignPlan(new PlanAssignment("t_a", null, new DateOnly(2026, 11, 1))));
        // A change from the current month on is allowed and leaves November alone.
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 12, 1), "EUR", PerThousandItems: 9m));
        var again = db.Billing.GetInvoice(BillingDatabase.November, "t_a");

        Assert.Contains("2026-11, a month that has ended", price.Message);
        Assert.Contains("2026-12-01 or later", price.Message);
        Assert.True(issued.IsFinal);
        Assert.Equal(InvoiceReport.ToJson(issued), InvoiceReport.ToJson(again));
        Assert.Equal(12.00m, again.Total);
    }

    [Fact]
    public void A_new_plan_assignment_applies_from_its_month_only()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");
        db.Billing.SetPlan(new BillingPlan("basic", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 10m));
        db.Billing.SetPlan(new BillingPlan("basic", new DateOnly(2026, 12, 1), "EUR", MonthlyFee: 12m));
        db.Billing.AssignPlan(new PlanAssignment("t_a", "basic", new DateOnly(2026, 11, 1)));

        var october = db.Billing.GetInvoice(BillingMonth.Parse("2026-10", "m"), "t_a");
        var november = db.Billing.GetInvoice(BillingDatabase.November, "t_a");
        var december = db.Billing.GetInvoice(BillingMonth.Parse("2026-12", "m"), "t_a");

        Assert.Equal((null, 0m, "XXX"), (october.PlanId, october.Total, october.Currency));
        Assert.Equal(10m, november.Total);
        Assert.Equal(12m, december.Total);
        Assert.False(november.IsFinal);
    }

    [Theory]
    [InlineData("model", "nope", "2026-11-01", "EUR", 1, "is not a model")]
    [InlineData("currency", "iris", "2026-11-01", "EURO", 1, "ISO 4217")]
    [InlineData("currency", "iris", "2026-11-01", "ABC", 1, "received 'ABC'")]
    [InlineData("perThousandItems", "iris", "2026-11-01", "EUR", -1, "must be 0 or more")]
    public void A_bad_price_names_its_field(string field, string model, string from, string currency, int perThousand, string detail)
    {
        using var db = new BillingDatabase();

        var error = Assert.Throws<BillingInputException>(() => db.Billing.SetPrice(new ModelPrice(model, DateOnly.Parse(from), currency, PerThousandItems: perThousand)));

        Assert.Equal(field, error.ParamName);
        Assert.Contains($"\"{field}\"", error.Message);
        Assert.Contains(detail, error.Message);
        Assert.Empty(db.Billing.ListPrices());
    }

    [Fact]
    public void Bad_plans_and_assignments_name_their_field()
    {
        using var db = new BillingDatabase();
        db.AddTenant("t_a");

        Assert.Equal("effectiveFrom", Assert.Throws<BillingInputException>(() => db.Billing.SetPlan(new BillingPlan("p", new DateOnly(2026, 11, 15), "EUR"))).ParamName);
        Assert.Equal("monthlyFee", Assert.Throws<BillingInputException>(() => db.Billing.SetPlan(new BillingPlan("p", new DateOnly(2026, 11, 1), "EUR", MonthlyFee: 9.999m))).ParamName);
        Assert.Equal("monthlyFee", Assert.Throws<BillingInputException>(() => db.Billing.SetPlan(new BillingPlan("p", new DateOnly(2026, 11, 1), "JPY", MonthlyFee: 9.5m))).ParamName);
        Assert.Equal("includedItems", Assert.Throws<BillingInputException>(() => db.Billing.SetPlan(new BillingPlan("p", new DateOnly(2026, 11, 1), "EUR", IncludedItems: -1))).ParamName);
        Assert.Equal("id", Assert.Throws<BillingInputException>(() => db.Billing.SetPlan(new BillingPlan("no spaces", new DateOnly(2026, 11, 1), "EUR"))).ParamName);
        Assert.Equal("planId", Assert.Throws<BillingInputException>(() => db.Billing.AssignPlan(new PlanAssignment("t_a", "missing", new DateOnly(2026, 11, 1)))).ParamName);
        Assert.Equal("tenantId", Assert.Throws<BillingInputException>(() => db.Billing.AssignPlan(new PlanAssignment("t_missing", null, new DateOnly(2026, 11, 1)))).ParamName);
        Assert.Empty(db.Billing.ListPlans());
        Assert.Empty(db.Billing.ListPlanAssignments());
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-1")]
    [InlineData("December")]
    public void A_month_that_is_not_yyyy_mm_is_refused_naming_the_field(string month)
    {
        var error = Assert.Throws<ArgumentException>(() => BillingMonth.Parse(month, "--invoice"));

        Assert.StartsWith("--invoice must be a UTC month written yyyy-MM", error.Message);
        Assert.Contains($"received '{month}'", error.Message);
    }
}
