using ModelLoop.Modeling;
using ModelLoop.Serving.Batching;

namespace ModelLoop.Serving.Tests.Batching;

/// <summary>
/// A backend for items of 2 values whose output is their sum (1 value), which throws for an item holding a negative value
/// (an input the model cannot compute) and, while <see cref="Gate"/> is closed, blocks in its forward pass — so a test
/// decides when a batch completes, without timing.
/// </summary>
internal sealed class GatedBackend(bool startOpen = true) : InferenceBackend
{
    private int _forwards;

    /// <summary>Set once a forward pass has started.</summary>
    public ManualResetEventSlim Entered { get; } = new(false);

    /// <summary>Forward passes wait until it is set.</summary>
    public ManualResetEventSlim Gate { get; } = new(startOpen);

    /// <summary>Forward passes run so far, failed ones included.</summary>
    public int Forwards => Volatile.Read(ref _forwards);

    public override string Name => "gated";
    public override Shape InputShape => new(2);
    public override InputKind InputKind => InputKind.Float;
    public override Shape OutputShape => new(1);

    public override BatchOutput Forward(float[] values, int count, bool embeddings)
    {
        Interlocked.Increment(ref _forwards);
        Entered.Set();
        Gate.Wait();
        if (values.Any(v => v < 0))
            throw new InvalidOperationException("index out of range in self (a negative value)");
        return new BatchOutput(Enumerable.Range(0, count).Select(i => values[2 * i] + values[2 * i + 1]).ToArray());
    }

    public override void Dispose()
    {
        Entered.Dispose();
        Gate.Dispose();
    }
}
