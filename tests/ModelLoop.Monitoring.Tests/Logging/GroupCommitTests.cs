using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Monitoring.Tests.Logging;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task EntriesQueuedTogetherShareTransactionsAndEachCompletesAfterItsCommit()
    {
        var batches = new List<int[]>();
        var gate = new ManualResetEventSlim();
        var writer = new GroupCommit<int>(batch =>
        {
            gate.Wait(); // hold the first commit so the rest queue up behind it
            lock (batches)
                batches.Add([.. batch]);
        }, maxBatch: 64);

        var tasks = Enumerable.Range(0, 100).Select(writer.Add).ToArray();
        Assert.All(tasks, t => Assert.False(t.IsCompleted));
        gate.Set();
        await Task.WhenAll(tasks);
        await writer.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, 100), batches.SelectMany(b => b));
        Assert.True(batches.Count < 100, $"{batches.Count} transactions for 100 entries: nothing was grouped.");
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 64));
    }

    [Fact]
    public async Task AFailedCommitFailsItsEntriesAndTheWriterKeepsCommittingLaterOnes()
    {
        var calls = 0;
        var writer = new GroupCommit<string>(batch =>
        {
            if (Interlocked.Increment(ref calls) == 1)
                throw new IOException("disk full");
        });

        var failed = writer.Add("first");
        var error = await Assert.ThrowsAsync<IOException>(() => failed);
        await writer.Add("second");
        await writer.DisposeAsync();

        Assert.Equal("disk full", error.Message);
        Assert.Equal(2, calls);
        Assert.Throws<ObjectDisposedException>(() => { _ = writer.Add("after"); });
    }
}
