using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;
using ModelLoop.Serving.Billing;
using ModelLoop.Serving.Metering;

namespace ModelLoop.Serving.Tests.Billing;

/// <summary>
/// Usage answered just before a month's end but committed after it (here: the meter waits for the database's write lock,
/// held by the test, while the fake clock moves on): final invoices never change and every invoice adds up to the usage table.
/// </summary>
public sealed class MonthEndTests
{
    private static readonly BillingMonth December = BillingMonth.Parse("2026-12", "test");
    private static readonly DateTimeOffset BeforeMidnight = new(2026, 11, 30, 23, 59, 30, TimeSpan.Zero);

    private static BillingDatabase PricedDatabase()
    {
        var db = new BillingDatabase(); // clock on 2026-10-15: November is open for prices
        db.AddTenant("t_a");
        db.Billing.SetPrice(new ModelPrice("iris", new DateOnly(2026, 11, 1), "EUR", PerThousandItems: 1m));
        db.Clock.SetUtcNow(BeforeMidnight);
        return db;
    }

    [Fact]
    public async Task Usage_committed_after_its_month_became_final_is_billed_in_the_next_month_and_the_final_invoice_stays_the_same()
    {
        using var db = PricedDatabase();
        await using var meter = new UsageMeter(db.Database, db.Clock);
        await meter.Record("t_a", "iris", "1", 1_000, 1);
        Task late;
        Invoice final;
        using (var writer = HoldWriteLock(db.Path))
        {
            late = meter.Record("t_a", "iris", "1", 500, 1); // answered at 23:59:30 on the 30th; its commit waits
            db.Clock.SetUtcNow(BillingDatabase.November.FinalUtc);
            final = db.Billing.GetInvoice(BillingDatabase.November, "t_a");
        }
        await late;

        var again = db.Billing.GetInvoice(BillingDatabase.November, "t_a");
        var december = db.Billing.GetInvoice(December, "t_a");

        Assert.True(final.IsFinal);
        Assert.Equal(InvoiceReport.ToJson(final), InvoiceReport.ToJson(again));
        Assert.Equal(1_000 + 500, Items(again) + Items(december));
        Assert.Equal(db.Sum("t_a", "items", "2026-11-01", "2026-12-01"), Items(again));
        Assert.Equal(db.Sum("t_a", "items", "2026-12-01", "2027-01-01"), Items(december));
        Assert.Equal(500, db.Sum("t_a", "items", "2026-12-01T01:00Z", "2026-12-01T02:00Z")); // booked in the hour it committed
    }

    [Fact]
    public async Task Usage_committed_just_after_midnight_stays_in_its_month_whose_invoice_is_a_draft_until_then()
    {
        using var db = PricedDatabase();
        await using var meter = new UsageMeter(db.Database, db.Clock);
        Task late;
        Invoice draft;
        using (var writer = HoldWriteLock(db.Path))
        {
            late = meter.Record("t_a", "iris", "1", 500, 1);
            db.Clock.SetUtcNow(BillingDatabase.November.EndUtc.AddMinutes(2)); // 00:02 on December 1st
            draft = db.Billing.GetInvoice(BillingDatabase.November, "t_a");
        }
        await late;
        db.Clock.SetUtcNow(BillingDatabase.November.FinalUtc);

        var final = db.Billing.GetInvoice(BillingDatabase.November, "t_a");

        Assert.False(draft.IsFinal);
        Assert.Equal(0, Items(draft));
        Assert.True(final.IsFinal);
        Assert.Equal(500, Items(final));
        Assert.Equal(db.Sum("t_a", "items", "2026-11-30T23:00Z", "2026-12-01"), Items(final)); // in the hour it was answered
        Assert.Equal(0, Items(db.Billing.GetInvoice(December, "t_a")));
    }

    [Theory]
    [InlineData("2026-11-30T23:59:59Z", "2026-12-01T00:04:59Z", "2026-11-30T23:59:59Z")]
    [InlineData("2026-11-30T23:59:59Z", "2026-12-01T00:05:00Z", "2026-12-01T00:05:00Z")]
    [InlineData("2026-11-30T12:00:00Z", "2026-11-30T23:00:00Z", "2026-11-30T12:00:00Z")]
    [InlineData("2026-12-31T23:59:00Z", "2027-01-01T03:00:00Z", "2027-01-01T03:00:00Z")]
    public void Usage_is_booked_at_its_request_unless_its_month_closed_for_usage_before_the_commit(string request, string commit, string booked)
    {
        Assert.Equal(BillingDatabase.At(booked), BillingMonth.BookedAt(BillingDatabase.At(request), BillingDatabase.At(commit)));
    }

    [Fact]
    public void A_month_stops_taking_usage_before_its_invoices_become_final()
    {
        var month = BillingDatabase.November;

        Assert.True(month.EndUtc < month.LateUsageEndUtc && month.LateUsageEndUtc < month.FinalUtc);
        Assert.False(month.IsFinalAt(month.FinalUtc.AddTicks(-1)));
        Assert.True(month.IsFinalAt(month.FinalUtc));
    }

    private static long Items(Invoice invoice) => invoice.Lines.Where(l => l.Unit == BilledUnit.Items).Sum(l => l.Quantity);

    // Another writer's open IMMEDIATE transaction: the meter's next commit waits for it (busy timeout) until disposed.
    private static WriteLock HoldWriteLock(string path) => new(path);

    private sealed class WriteLock : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;

        public WriteLock(string path)
        {
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            _transaction = _connection.BeginTransaction(deferred: false);
        }

        public void Dispose()
        {
            _transaction.Rollback();
            _transaction.Dispose();
            _connection.Dispose();
        }
    }
}
