using System.Threading.Channels;

namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// Group commit for durable writes: <see cref="Add"/> queues an entry and completes once the transaction holding it
/// committed; entries arriving together share one transaction (one fsync per batch, not per entry), so durability does
/// not cap throughput. A failed commit fails that batch's entries only; the writer keeps going.
/// </summary>
/// <typeparam name="T">One entry.</typeparam>
public sealed class GroupCommit<T> : IAsyncDisposable
{
    private sealed record Pending(T Entry, TaskCompletionSource Committed);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<IReadOnlyList<T>> _commit;
    private readonly Action<T>? _committed;
    private readonly int _maxBatch;
    private readonly Task _writer;

    /// <param name="commit">Writes a batch in one transaction (throws to fail the whole batch).</param>
    /// <param name="committed">Runs for each entry after its batch committed, before its task completes. Defaults to none.</param>
    /// <param name="maxBatch">Most entries per transaction. Defaults to 512.</param>
    public GroupCommit(Action<IReadOnlyList<T>> commit, Action<T>? committed = null, int maxBatch = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _commit = commit ?? throw new ArgumentNullException(nameof(commit));
        _committed = committed;
        _maxBatch = maxBatch;
        _writer = Task.Run(WriteLoop);
    }

    /// <summary>Queues <paramref name="entry"/>; the task completes when it is committed, or fails with the commit's exception.</summary>
    /// <exception cref="ObjectDisposedException">The writer was disposed (the server is shutting down).</exception>
    public Task Add(T entry)
    {
        var pending = new Pending(entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(GroupCommit<T>), "The writer is shut down; nothing more can be committed.");
        return pending.Committed.Task;
    }

    /// <summary>Stops accepting entries and waits until the queued ones are committed.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteLoop()
    {
        var batch = new List<Pending>();
        var entries = new List<T>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                entries.Add(next.Entry);
            }
            try
            {
                _commit(entries);
                foreach (var pending in batch)
                {
                    _committed?.Invoke(pending.Entry);
                    pending.Committed.TrySetResult();
                }
            }
            catch (Exception e)
            {
                // Any failure (SQLite, disk, I/O) fails this batch and keeps the writer alive: if this loop ended, every
                // later entry would wait for a commit that never comes.
                foreach (var pending in batch)
                    pending.Committed.TrySetException(e);
            }
            batch.Clear();
            entries.Clear();
        }
    }
}
