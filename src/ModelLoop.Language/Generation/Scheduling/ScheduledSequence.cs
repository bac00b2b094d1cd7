using System.Threading.Channels;
using ModelLoop.Language.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Generation.Scheduling;

/// <summary>One submission to a <see cref="GenerationScheduler"/>: its sequences share one channel of updates.</summary>
internal sealed class ScheduledJob(Channel<GenerationUpdate> channel, int sequences, CancellationToken cancellationToken)
{
    public ChannelWriter<GenerationUpdate> Writer => channel.Writer;
    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>Sequences not yet finished; the channel completes when it reaches 0.</summary>
    public int Remaining = sequences;

    /// <summary>Set once (by cancellation or a failure): its sequences leave at the next step boundary.</summary>
    public volatile bool Abandoned;
}

/// <summary>
/// One sequence of a job while it waits for or holds a row of the scheduler's slotted cache: its prompt, its own
/// sampling options and seeded generator, the tokens it has seen (repetition penalty) and its text stream.
/// </summary>
internal sealed class ScheduledSequence : IDisposable
{
    private static readonly Scalar True = true.ToScalar(); // lives as long as the process (see LogitsProcessing's remarks)

    private readonly ITextTokenizer _tokenizer;
    private readonly TextStream _stream;

    public ScheduledSequence(ScheduledJob job, int choice, IReadOnlyList<int> prompt, GenerationOptions options, ITextTokenizer tokenizer, int vocabulary)
    {
        (Job, Choice, Prompt, Options, _tokenizer) = (job, choice, prompt, options, tokenizer);
        _stream = new TextStream(tokenizer, options.Stop);
        // n choices of one seeded request differ from each other yet repeat across calls: seed + choice.
        Generator = new Generator(unchecked((ulong)((options.Seed ?? Random.Shared.NextInt64()) + choice)));
        if (options.RepetitionPenalty != 1.0)
        {
            Seen = zeros([1, vocabulary], ScalarType.Bool).DetachFromDisposeScope(); // (1, vocabulary)
            foreach (var id in prompt)
                Mark(id);
        }
    }

    public ScheduledJob Job { get; }
    public int Choice { get; }
    public IReadOnlyList<int> Prompt { get; }
    public GenerationOptions Options { get; }
    public Generator Generator { get; }
    public Tensor? Seen { get; }

    /// <summary>The token the next step feeds (the last one chosen).</summary>
    public long LastToken { get; private set; }

    public int Generated { get; private set; }

    public FinishReason? Finished { get; private set; }

    /// <summary>Greedy without a repetition penalty: the batch's one argmax decides it, no per-row sampling.</summary>
    public bool IsPlainGreedy => Options.Temperature == 0 && Seen is null;

    /// <summary>Takes the chosen token; returns the text now safe to send ("" if none). Mirrors <see cref="GenerationSession.Step"/>.</summary>
    public string Accept(long id)
    {
        LastToken = id;
        if (Seen is not null)
            Mark(id);
        if (Options.StopAtEndOfText && id == _tokenizer.EndOfTextId)
        {
            Finished = FinishReason.EndOfText;
            return _stream.Flush();
        }
        Generated++;
        var (piece, stopped) = _stream.Add((int)id);
        if (stopped)
            Finished = FinishReason.Stop;
        else if (Generated >= Options.MaxNewTokens)
        {
            piece += _stream.Flush();
            Finished = FinishReason.Length;
        }
        return piece;
    }

    // Seen[0, id] = true would convert true into a temporary tensor the native index_put_ reads after its last use.
    private void Mark(long id)
    {
        using var cell = Seen![0, id];
        cell.fill_(True);
    }

    public void Dispose()
    {
        Seen?.Dispose();
        Generator.Dispose();
    }
}
