using Microsoft.Extensions.Time.Testing;
using ModelLoop.Serving.Metering;

namespace ModelLoop.Serving.Tests.Metering;

public sealed class DailyQuotaTests
{
    private static readonly DateTimeOffset BeforeMidnight = new(2026, 12, 1, 23, 59, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_daily_item_quota_counts_items_and_refills_after_midnight()
    {
        using var folder = new TestModels.TempFolder();
        var clock = new FakeTimeProvider(BeforeMidnight);
        await using var meter = new UsageMeter(ServingSchema.Open(Path.Combine(folder.Path, "serving.db")), clock);

        Assert.True(meter.TryReserve("t", UsageUnit.Items, 8, quota: 10));
        await meter.Record("t", "m", "1", 8, 1);
        meter.ReleaseReservation("t", UsageUnit.Items, 8);

        Assert.Equal(8, meter.UsedToday("t", UsageUnit.Items));
        Assert.Equal(1, meter.RequestsToday("t"));
        Assert.False(meter.TryReserve("t", UsageUnit.Items, 8, quota: 10)); // 8 used + 8 > 10
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, meter.UsedToday("t", UsageUnit.Items));
        Assert.True(meter.TryReserve("t", UsageUnit.Items, 8, quota: 10));
    }

    [Fact]
    public async Task Usage_made_before_midnight_and_committed_after_it_counts_for_its_own_day()
    {
        using var folder = new TestModels.TempFolder();
        var clock = new FakeTimeProvider(BeforeMidnight);
        await using var meter = new UsageMeter(ServingSchema.Open(Path.Combine(folder.Path, "serving.db")), clock);
        Assert.Equal(0, meter.RequestsToday("t"));

        var late = meter.Record("t", "m", "1", 5, 1); // made at 23:59
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, meter.UsedToday("t", UsageUnit.Items)); // the new day's counter, read now
        await late;

        Assert.Equal(0, meter.UsedToday("t", UsageUnit.Items));
        Assert.Equal(0, meter.RequestsToday("t"));
    }

    [Fact]
    public async Task Usage_committed_while_the_counters_refill_after_midnight_is_never_missed()
    {
        using var folder = new TestModels.TempFolder();
        var clock = new FakeTimeProvider(BeforeMidnight.AddMinutes(2));
        await using var meter = new UsageMeter(ServingSchema.Open(Path.Combine(folder.Path, "serving.db")), clock);
        for (var day = 0; day < 20; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            // Commits and first reads of the day's counter race: each commit must be seen by the read or added after it.
            var records = Enumerable.Range(0, 8).Select(_ => Task.Run(() => meter.Record("t", "m", "1", 3, 1))).ToArray();
            var reads = Enumerable.Range(0, 8).Select(_ => Task.Run(() => meter.UsedToday("t", UsageUnit.Items))).ToArray();
            await Task.WhenAll(records);
            await Task.WhenAll(reads);

            Assert.Equal(8 * 3, meter.UsedToday("t", UsageUnit.Items));
            Assert.Equal(8, meter.RequestsToday("t"));
        }
    }
}
