using System.Diagnostics;
using System.Threading.Channels;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Batching;

/// <summary>
/// Dynamic batching for one loaded model version: a bounded queue of requests and one worker thread (a
/// TorchSharp module is not safe to call from several threads at once) that takes requests until the
/// batch holds MaxBatchSize items or MaxDelay has passed since its first request, runs one forward pass
/// on the concatenation through the version's <see cref="InferenceBackend"/> (TorchSharp or ONNX Runtime),
/// and hands each request its rows. <see cref="Retire"/> stops accepting, lets the
/// worker finish what was queued, then disposes the model — so a version switch fails no request.
/// A batch whose forward pass throws is run again one request at a time, so one request's bad item fails only that
/// request (<see cref="ItemsFailedException"/>, naming its items) and the others of the batch are answered.
/// </summary>
internal sealed class ModelRunner
{
    private sealed record Work(float[] Values, int Count, bool Embeddings, long Enqueued, TaskCompletionSource<PredictOutcome> Completion)
    {
        private const int Queued = 0, Claimed = 1, Abandoned = 2;
        private int _state;

        public CancellationTokenRegistration Registration { get; set; }

        // Exactly one of the two wins: a request is either computed (and so metered) or abandoned before its batch
        // ran (neither computed nor metered) — never computed for a client that is no longer counted.
        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        public void TryAbandon()
        {
            if (Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued)
                Completion.TrySetCanceled();
        }
    }

    private readonly Channel<Work> _queue;
    private readonly Thread _worker;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _outputElements;
    private readonly BatchSizeObserver _batchSizes;
    private volatile bool _retired;

    private readonly int? _torchThreads;

    /// <param name="torchThreads">libtorch intra-op threads for this runner's forward passes; null leaves libtorch's default.</param>
    public ModelRunner(ServableModel model, int? torchThreads = null)
    {
        Model = model;
        _torchThreads = torchThreads;
        _outputElements = model.OutputShape.Aggregate(1L, (a, b) => a * b);
        _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(model.Batching.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping: we answer 429
        });
        _batchSizes = new BatchSizeObserver(this);
        _worker = new Thread(Run) { IsBackground = true, Name = $"modelloop-batcher-{model.Name}-{model.Version}" };
        _worker.Start();
    }

    public ServableModel Model { get; }

    /// <summary>Requests waiting now.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Completes when the worker has drained the queue and disposed the model.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>
    /// Queues <paramref name="count"/> items (already preprocessed, flattened: count × input elements).
    /// The returned task completes with the outputs (and with <paramref name="embeddings"/>, each item's
    /// penultimate-layer embedding, for the prediction log's monitored features). When <paramref name="abandon"/> fires
    /// (the client went away) before the request's batch ran, the request is dropped and the task is cancelled; once
    /// its batch ran, the task completes with the outputs whatever the token says (the compute was spent: the caller
    /// meters it). It fails with <see cref="ItemsFailedException"/> when the model cannot compute the request's items.
    /// </summary>
    public EnqueueResult TryEnqueue(float[] values, int count, out Task<PredictOutcome> outcome, bool embeddings = false, CancellationToken abandon = default)
    {
        var completion = new TaskCompletionSource<PredictOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        outcome = completion.Task;
        var work = new Work(values, count, embeddings, Stopwatch.GetTimestamp(), completion);
        if (_queue.Writer.TryWrite(work))
        {
            if (abandon.CanBeCanceled)
                work.Registration = abandon.Register(static w => ((Work)w!).TryAbandon(), work);
            ServingMetrics.QueueDepth.WithLabels(Model.Name, Model.Version).Set(_queue.Reader.Count);
            return EnqueueResult.Accepted;
        }
        return _queue.Reader.Completion.IsCompleted || _retired ? EnqueueResult.Closed : EnqueueResult.Full;
    }

    /// <summary>Stops accepting requests; the ones already queued still run, then the model is disposed.</summary>
    public Task Retire()
    {
        _retired = true;
        _queue.Writer.TryComplete();
        return Stopped;
    }

    private void Run()
    {
        var reader = _queue.Reader;
        var batch = new List<Work>();
        try
        {
            Model.Backend.OnWorkerStart(_torchThreads);
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                Collect(reader, batch);
                if (batch.Count == 0)
                    continue;
                ServingMetrics.QueueDepth.WithLabels(Model.Name, Model.Version).Set(reader.Count);
                Forward(batch);
                batch.Clear();
            }
        }
        finally
        {
            Model.Dispose();
            ServingMetrics.QueueDepth.RemoveLabelled(Model.Name, Model.Version);
            _stopped.TrySetResult();
        }
    }

    // Takes the first request, then more until MaxBatchSize items or MaxDelay after the first; a request
    // that would overflow the batch waits for the next one (requests are never split).
    private void Collect(ChannelReader<Work> reader, List<Work> batch)
    {
        var options = Model.Batching;
        var items = 0;
        var deadline = 0L;
        while (true)
        {
            if (reader.TryPeek(out var next))
            {
                if (items > 0 && items + next.Count > options.MaxBatchSize)
                    return;
                reader.TryRead(out _);
                batch.Add(next);
                items += next.Count;
                if (batch.Count == 1)
                    deadline = Stopwatch.GetTimestamp() + (long)(options.MaxDelay.TotalSeconds * Stopwatch.Frequency);
                if (items >= options.MaxBatchSize)
                    return;
                continue;
            }
            if (batch.Count == 0)
                return;
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
                return;
            // Wait for another request or the deadline, whichever comes first (no exception on timeout).
            var wait = reader.WaitToReadAsync().AsTask();
            var timeout = TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency);
            if (!wait.Wait(timeout) || !wait.Result)
                return;
        }
    }

    private void Forward(List<Work> batch)
    {
        var live = batch.Where(w => w.TryClaim()).ToList();
        foreach (var work in batch)
            work.Registration.Dispose();
        if (live.Count == 0)
            return;
        try
        {
            Compute(live);
        }
        catch (Exception e)
        {
            // Any exception of the forward pass (an item the checks before batching did not catch, a native failure
            // such as out of memory) fails only the requests that also fail alone; the worker keeps serving the queue.
            if (live.Count == 1)
                Fail(live[0], e, othersSucceeded: false);
            else
                Isolate(live);
        }
    }

    // Runs each request of a failed batch alone: the ones that succeed get their outputs, the others fail naming their items.
    private void Isolate(List<Work> live)
    {
        var failed = new List<(Work Work, Exception Error)>();
        foreach (var work in live)
        {
            try
            {
                Compute([work]);
            }
            catch (Exception e)
            {
                failed.Add((work, e));
            }
        }
        foreach (var (work, error) in failed)
            Fail(work, error, othersSucceeded: failed.Count < live.Count);
    }

    // Fails one request; with several items, each is run alone (no more compute than the request asked for) to name
    // the ones the model cannot compute.
    private void Fail(Work work, Exception error, bool othersSucceeded)
    {
        var items = new List<int>();
        var elements = work.Values.Length / work.Count;
        for (var i = 0; i < work.Count && work.Count > 1; i++)
        {
            try
            {
                Model.Backend.Forward(work.Values.AsSpan(i * elements, elements).ToArray(), 1, false);
                othersSucceeded = true;
            }
            catch (Exception)
            {
                items.Add(i);
            }
        }
        if (work.Count == 1)
            items.Add(0);
        work.Completion.TrySetException(new ItemsFailedException(items, othersSucceeded, error));
    }

    private void Compute(List<Work> live)
    {
        var total = live.Sum(w => w.Count);
        var values = live.Count == 1 ? live[0].Values : live.SelectMany(w => w.Values).ToArray();
        var clock = Stopwatch.StartNew();
        // Only a batch holding a request that logs embeddings pays for them; the plain forward stays as it was.
        var (outputs, embeddings, width) = Model.Backend.Forward(values, total, live.Any(w => w.Embeddings));
        var computeMs = clock.Elapsed.TotalMilliseconds;
        _batchSizes.Observe(total);
        var offset = 0L;
        var item = 0;
        foreach (var work in live)
        {
            var length = work.Count * _outputElements;
            var rows = outputs.AsSpan((int)offset, (int)length).ToArray();
            offset += length;
            ServingMetrics.PredictLatency.WithLabels(Model.Name).Observe(Stopwatch.GetElapsedTime(work.Enqueued).TotalSeconds);
            work.Completion.TrySetResult(new PredictOutcome(Model.Version, rows, total, computeMs * work.Count / total)
            {
                Embeddings = work.Embeddings && embeddings is not null ? embeddings.AsSpan(item * width, work.Count * width).ToArray() : null,
                EmbeddingWidth = width,
            });
            item += work.Count;
        }
    }

    // Holds the per-model child of the batch-size histogram so the hot loop does not look the label up.
    private sealed class BatchSizeObserver(ModelRunner runner)
    {
        private readonly Prometheus.Histogram.Child _child = ServingMetrics.BatchSize.WithLabels(runner.Model.Name);
        public void Observe(int size) => _child.Observe(size);
    }
}
