using System.Collections.Concurrent;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data.Loading;

/// <summary>
/// Batches an in-memory <see cref="TensorDataset"/>: a seeded shuffle per epoch, an optional transform
/// (augmentation), and background prefetch so the consumer never waits for the next batch. Each batch is
/// gathered with one index_select per tensor (no per-sample copies).
/// </summary>
public sealed class DataLoader
{
    private readonly TensorDataset _data;
    private readonly DataLoaderOptions _options;

    /// <exception cref="ArgumentException">
    /// An empty dataset, a batch size below 1, a negative prefetch, or DropLast with fewer samples than one batch.
    /// </exception>
    public DataLoader(TensorDataset data, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _options = options ?? new DataLoaderOptions();
        if (data.Count == 0)
            throw new ArgumentException("The data loader needs at least one sample; received an empty dataset.", nameof(data));
        if (_options.BatchSize < 1)
            throw new ArgumentException($"BatchSize must be at least 1; received {_options.BatchSize}.", nameof(options));
        if (_options.DropLast && data.Count < _options.BatchSize)
            throw new ArgumentException(
                $"DropLast is set and the dataset has {data.Count} sample(s), fewer than one batch of {_options.BatchSize}: every epoch would yield no batch. " +
                $"Use a BatchSize of at most {data.Count}, or DropLast = false to get one smaller batch.", nameof(options));
        if (_options.Prefetch < 0)
            throw new ArgumentException($"Prefetch must be ≥ 0 batches (0 = no background thread); received {_options.Prefetch}.", nameof(options));
        _data = data;
    }

    /// <summary>Batches in one epoch.</summary>
    public long BatchesPerEpoch => _options.Sampling == BatchSampling.Poisson ? (_data.Count + _options.BatchSize - 1) / _options.BatchSize
        : _options.DropLast ? _data.Count / _options.BatchSize : (_data.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (the number seeds the shuffle, so epoch 3 is the same order in
    /// every run). Dispose each batch when done; stopping early stops the background thread and frees what it made.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch = 0)
    {
        TorchRuntime.EnsureLoaded();
        return _options.Prefetch == 0 ? Batches(epoch, 0, CancellationToken.None) : Prefetched(cancel => Batches(epoch, 0, cancel));
    }

    /// <summary>
    /// <paramref name="count"/> batches from position <paramref name="firstBatch"/> of the endless sequence epoch 0,
    /// epoch 1, … (each shuffled as <see cref="Epoch"/> shuffles it), for training measured in steps rather than passes:
    /// a run of N-batch "epochs" reads Stream(0, N), Stream(N, N), … and a resumed one starts where it stopped, without
    /// gathering the batches it skips.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative <paramref name="firstBatch"/> or <paramref name="count"/>.</exception>
    public IEnumerable<Batch> Stream(long firstBatch, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        TorchRuntime.EnsureLoaded();
        return _options.Prefetch == 0 ? Streamed(firstBatch, count, CancellationToken.None) : Prefetched(cancel => Streamed(firstBatch, count, cancel));
    }

    private IEnumerable<Batch> Streamed(long firstBatch, long count, CancellationToken cancel)
    {
        var position = firstBatch;
        while (position < firstBatch + count && !cancel.IsCancellationRequested)
        {
            var epoch = (int)(position / BatchesPerEpoch);
            var start = position % BatchesPerEpoch;
            var take = Math.Min(BatchesPerEpoch - start, firstBatch + count - position);
            foreach (var batch in Batches(epoch, start, cancel).Take((int)take))
                yield return batch;
            position += take;
        }
    }

    private IEnumerable<Batch> Batches(int epoch, long firstBatch, CancellationToken cancel)
    {
        if (_options.Sampling == BatchSampling.Poisson)
        {
            foreach (var batch in PoissonBatches(epoch, cancel))
                yield return batch;
            yield break;
        }
        using var order = Order(epoch);
        for (long b = firstBatch; b < BatchesPerEpoch && !cancel.IsCancellationRequested; b++)
        {
            using var scope = NewDisposeScope();
            var start = b * _options.BatchSize;
            var index = order.narrow(0, start, Math.Min(_options.BatchSize, _data.Count - start));
            var features = _data.Features.index_select(0, index);
            if (_options.Transform is { } transform)
                features = transform(features);
            var labels = _data.Labels.index_select(0, index);
            yield return new Batch(features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
        }
    }

    // Each batch: an independent Bernoulli(q) draw per sample, q = BatchSize / N, from a generator seeded with (seed, epoch).
    private IEnumerable<Batch> PoissonBatches(int epoch, CancellationToken cancel)
    {
        var rate = Math.Min(1.0, (double)_options.BatchSize / _data.Count);
        using var generator = new Generator().manual_seed(unchecked(_options.Seed * 1_000_003 + epoch));
        for (long b = 0; b < BatchesPerEpoch && !cancel.IsCancellationRequested; b++)
        {
            using var scope = NewDisposeScope();
            var index = (rand(_data.Count, generator: generator) < rate).nonzero().flatten();
            var features = _data.Features.index_select(0, index);
            if (_options.Transform is { } transform && index.shape[0] > 0)
                features = transform(features);
            var labels = _data.Labels.index_select(0, index);
            yield return new Batch(features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
        }
    }

    private Tensor Order(int epoch)
    {
        if (!_options.Shuffle)
            return arange(_data.Count, dtype: ScalarType.Int64);
        using var generator = new Generator().manual_seed(unchecked(_options.Seed * 1_000_003 + epoch));
        return randperm(_data.Count, generator: generator);
    }

    private IEnumerable<Batch> Prefetched(Func<CancellationToken, IEnumerable<Batch>> batches)
    {
        using var cancel = new CancellationTokenSource();
        using var queue = new BlockingCollection<Batch>(_options.Prefetch);
        Exception? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var batch in batches(cancel.Token))
                {
                    try
                    {
                        queue.Add(batch, cancel.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Dispose();
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
                yield return batch;
            if (failure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw(); // the original type and stack
        }
        finally
        {
            // The consumer may stop early: stop the producer, wait for it, and free the batches it made.
            cancel.Cancel();
            producer.Wait();
            while (queue.TryTake(out var left))
                left.Dispose();
        }
    }
}
