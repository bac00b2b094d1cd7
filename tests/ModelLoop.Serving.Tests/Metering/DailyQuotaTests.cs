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
    public async Task Usage_committed_while_the_days_counter_is_being_read_is_not_missed()
    {
        using var folder = new TestModels.TempFolder();
        var clock = new PausingClock(BeforeMidnight.AddMinutes(2));
        await using var meter = new UsageMeter(ServingSchema.Open(Path.Combine(folder.Path, "serving.db")), clock);
        var release = new TaskCompletionSource();
        // The first read of today's counter reads the clock three times: the day (twice) before its database read and
        // once after it. Pause there, and commit a request meanwhile.
        clock.PauseAt(clock.Calls + 3, release.Task);

        var read = Task.Run(() => meter.UsedToday("t", UsageUnit.Items));
        await clock.Paused.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var record = meter.Record("t", "m", "1", 3, 1);
        await Task.WhenAny(record, Task.Delay(300)); // committed during the pause, unless commits wait for the read
        release.SetResult();
        await read;
        await record;

        Assert.Equal(3, meter.UsedToday("t", UsageUnit.Items));
        Assert.Equal(1, meter.RequestsToday("t"));
    }

    /// <summary>A fake clock that holds one chosen reading (by count) until released or 1 s passed.</summary>
    private sealed class PausingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _pauseAt = -1;
        private Task _release = Task.CompletedTask;
        public int Calls;
        public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void PauseAt(int call, Task release) => (_pauseAt, _release) = (call, release);

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Increment(ref Calls) == _pauseAt)
            {
                Paused.TrySetResult();
                _release.Wait(TimeSpan.FromSeconds(1));
            }
            return base.GetUtcNow();
        }
    }
}
