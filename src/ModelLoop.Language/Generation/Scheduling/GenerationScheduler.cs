using System.Collections.Concurrent;
using System.Threading.Channels;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Transformers;
using static TorchSharp.torch;

namespace ModelLoop.Language.Generation.Scheduling;

/// <summary>
/// Continuous batching for one model: concurrent submissions share forward passes. Each sequence holds one row of a
/// slotted key/value cache (<see cref="GptDecoder.CreateSlots"/>) with its own length; between decoding steps waiting
/// sequences join (their prompt is prefilled into their row) and finished or abandoned ones leave at once, the last row
/// moving into the freed one so a step's rows stay contiguous and only sequences still generating are computed. Each
/// sequence keeps its own sampling options and seeded generator, so its text does not depend on what it was batched
/// with (under greedy decoding it equals <see cref="TextGenerator"/>'s). One thread runs the loop; <see cref="Submit"/>
/// is thread-safe.
/// </summary>
public sealed class GenerationScheduler : IDisposable
{
    private readonly Model _model;
    private readonly GptDecoder _decoder;
    private readonly GenerationSchedulerOptions _options;
    private readonly KeyValueCache _cache;
    private readonly ConcurrentQueue<ScheduledSequence> _waiting = new();
    private readonly List<ScheduledSequence> _rows = [];                  // row i of the cache ↔ _rows[i]; loop thread only
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _loop;
    private int _waitingCount;
    private long _decodeSteps;
    private int _active;

    /// <summary>A scheduler for <paramref name="model"/> (one Gpt layer) and its tokenizer; starts its loop thread.</summary>
    /// <exception cref="ArgumentException">The model is not a GPT, or its vocabulary is smaller than the tokenizer's.</exception>
    public GenerationScheduler(Model model, ITextTokenizer tokenizer, GenerationSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _decoder = GptDecoder.For(model);
        if (tokenizer.VocabularySize > _decoder.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} tokens but the model's vocabulary holds {_decoder.VocabularySize}. Use the tokenizer the model was trained with.", nameof(tokenizer));
        _model = model;
        _options = (options ?? new GenerationSchedulerOptions()).Validate();
        Tokenizer = tokenizer;
        model.Network.eval();
        _cache = _decoder.CreateSlots(_options.MaxSequences, _decoder.BlockSize);
        _loop = new Thread(Run) { IsBackground = true, Name = "generation-scheduler" };
        _loop.Start();
    }

    /// <summary>The tokenizer prompts are encoded with.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The longest context (prompt + new tokens − 1) the model takes.</summary>
    public long BlockSize => _decoder.BlockSize;

    /// <summary>Sequences holding a row now (decoded by the next step).</summary>
    public int ActiveSequences => Volatile.Read(ref _active);

    /// <summary>Sequences waiting for a row.</summary>
    public int WaitingSequences => Volatile.Read(ref _waitingCount);

    /// <summary>Decoding steps run so far (one forward pass each for every active sequence; prefills not counted).</summary>
    public long DecodeSteps => Interlocked.Read(ref _decodeSteps);

    /// <summary>
    /// Queues <paramref name="count"/> continuations of <paramref name="prompt"/> (token ids, at least one) and returns the
    /// channel their updates arrive on; it completes when every sequence finished, or with the exception that failed
    /// them. Cancelling <paramref name="cancellationToken"/> (e.g. the client went away) removes them from the batch at
    /// the next step boundary and completes the channel with <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An empty prompt, an id outside the vocabulary, a bad option, or prompt + MaxNewTokens − 1 past the block size.</exception>
    /// <exception cref="SchedulerFullException">Too many sequences are waiting already.</exception>
    public ChannelReader<GenerationUpdate> Submit(IReadOnlyList<int> prompt, GenerationOptions options, int count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        options.Validate();
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be at least 1; received count={count}.");
        if (prompt.Count == 0)
            throw new ArgumentException("The prompt holds no tokens; start it with the end-of-text id at least.", nameof(prompt));
        if (!options.UseCache)
            throw new ArgumentException("The scheduler always decodes with the key/value cache; leave UseCache at true.", nameof(options));
        if (prompt.Count + options.MaxNewTokens - 1 > BlockSize)
            throw new ArgumentException($"The prompt holds {prompt.Count} tokens and MaxNewTokens is {options.MaxNewTokens}, which passes this model's block size of {BlockSize} (prompt + MaxNewTokens − 1 must fit). Lower MaxNewTokens to at most {BlockSize - prompt.Count + 1} or shorten the prompt.", nameof(prompt));
        foreach (var bad in prompt.Where(id => id < 0 || id >= _decoder.VocabularySize).Take(1))
            throw new ArgumentException($"The prompt holds token id {bad}, outside this model's vocabulary [0, {_decoder.VocabularySize}). Encode prompts with the model's own tokenizer.", nameof(prompt));
        if (Interlocked.Add(ref _waitingCount, count) > _options.MaxWaiting + _options.MaxSequences)
        {
            Interlocked.Add(ref _waitingCount, -count);
            throw new SchedulerFullException($"{WaitingSequences} sequences are waiting for one of this model's {_options.MaxSequences} rows; the bound is {_options.MaxWaiting}. Retry later.");
        }
        var channel = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var job = new ScheduledJob(channel, count, cancellationToken);
        for (var choice = 0; choice < count; choice++)
            _waiting.Enqueue(new ScheduledSequence(job, choice, [.. prompt], options, Tokenizer, _decoder.VocabularySize));
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() => { job.Abandoned = true; Wake(); });
        Wake();
        return channel.Reader;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // a cancellation arriving after Dispose: nothing left to wake
        }
    }

    // The loop: admit waiting sequences into free rows, run one decoding step for every row, drop who finished or left.
    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Admit();
                if (_rows.Count == 0)
                {
                    _wake.Wait(_stop.Token);
                    continue;
                }
                Step();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A failed forward fails the sequences it computed (inputs were checked at Submit, so this is the
                // server's fault, not another request's); the loop goes on for later submissions.
                foreach (var sequence in _rows.ToList())
                {
                    sequence.Job.Abandoned = true;
                    sequence.Job.Writer.TryComplete(e);
                }
                Leave(_ => true);
            }
        }
        Leave(_ => true);
        while (_waiting.TryDequeue(out var sequence))
        {
            sequence.Job.Writer.TryComplete(new ObjectDisposedException(nameof(GenerationScheduler)));
            sequence.Dispose();
        }
    }

    // Waiting sequences take free rows; each prompt is prefilled into its own row (a forward of that row alone) and
    // gives its first token. Sequences of abandoned jobs are dropped without computing anything.
    private void Admit()
    {
        Leave(s => s.Job.Abandoned || s.Job.CancellationToken.IsCancellationRequested);
        while (_rows.Count < _options.MaxSequences && _waiting.TryDequeue(out var sequence))
        {
            Interlocked.Decrement(ref _waitingCount);
            if (sequence.Job.Abandoned || sequence.Job.CancellationToken.IsCancellationRequested)
            {
                Finish(sequence, cancelled: true);
                continue;
            }
            var row = _rows.Count;
            _cache.ClearRow(row);
            _rows.Add(sequence);
            Volatile.Write(ref _active, _rows.Count);
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var prompt = tensor(sequence.Prompt.Select(id => (long)id).ToArray(), device: _model.Device).unsqueeze(0); // (1, P)
                var logits = _decoder.ForwardRows(prompt, _cache, row)[.., -1];                         // (1, vocabulary)
                var id = ChooseRow(logits, sequence);
                Emit(sequence, sequence.Accept(id));
            }
            Leave(s => s.Finished is not null);
        }
    }

    // One forward for every row: (n, 1) last tokens → (n, vocabulary) logits → one token per row.
    private void Step()
    {
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var n = _rows.Count;
            var last = tensor(_rows.Select(s => s.LastToken).ToArray(), device: _model.Device).unsqueeze(1); // (n, 1)
            var logits = _decoder.ForwardRows(last, _cache, 0)[.., -1];                   // (n, vocabulary)
            var greedy = logits.argmax(-1).cpu().data<long>().ToArray();                  // (n)
            for (var row = 0; row < n; row++)
            {
                var sequence = _rows[row];
                var id = sequence.IsPlainGreedy ? greedy[row] : ChooseRow(logits.narrow(0, row, 1), sequence);
                Emit(sequence, sequence.Accept(id));
            }
        }
        Interlocked.Increment(ref _decodeSteps);
        Leave(s => s.Finished is not null || s.Job.Abandoned || s.Job.CancellationToken.IsCancellationRequested);
    }

    private static long ChooseRow(Tensor logits, ScheduledSequence sequence) =>
        LogitsProcessing.Choose(logits, sequence.Seen, sequence.Options, sequence.Generator).cpu().data<long>()[0]; // logits (1, vocabulary)

    private static void Emit(ScheduledSequence sequence, string piece)
    {
        if (piece.Length > 0 || sequence.Finished is not null)
            sequence.Job.Writer.TryWrite(new GenerationUpdate(sequence.Choice, piece, sequence.Generated, sequence.Finished));
    }

    // Removes the rows matching `leaves`, moving the last row into each freed one (rows stay 0…n−1, contiguous).
    private void Leave(Func<ScheduledSequence, bool> leaves)
    {
        for (var row = _rows.Count - 1; row >= 0; row--)
        {
            var sequence = _rows[row];
            if (!leaves(sequence))
                continue;
            var last = _rows.Count - 1;
            _cache.MoveRow(last, row);
            _rows[row] = _rows[last];
            _rows.RemoveAt(last);
            Finish(sequence, cancelled: sequence.Finished is null);
        }
        Volatile.Write(ref _active, _rows.Count);
    }

    private static void Finish(ScheduledSequence sequence, bool cancelled)
    {
        var job = sequence.Job;
        sequence.Dispose();
        if (cancelled)
            job.Writer.TryComplete(new OperationCanceledException(job.CancellationToken));
        else if (Interlocked.Decrement(ref job.Remaining) == 0)
            job.Writer.TryComplete();
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _loop.Join();
        _cache.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
