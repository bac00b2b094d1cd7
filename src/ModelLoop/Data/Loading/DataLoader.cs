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
        return _options.Prefetch == 0 ? Batches(epoch, CancellationToken.None) : Prefetched(epoch);
    }

    private IEnumerable<Batch> Batches(int epoch, CancellationToken cancel)
    {
        if (_options.Sampling == BatchSampling.Poisson)
        {
            foreach (var batch in PoissonBatches(epoch, cancel))
                yield return batch;
            yield break;
        }
        using var order = Order(epoch);
        for (long b = 0; b < BatchesPerEpoch && !cancel.IsCancellationRequested; b++)
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

    private IEnumerable<Batch> Prefetched(int epoch)
    {
        using var cancel = new CancellationTokenSource();
        using var queue = new BlockingCollection<Batch>(_options.Prefetch);
        Exception? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var batch in Batches(epoch, cancel.Token))
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
