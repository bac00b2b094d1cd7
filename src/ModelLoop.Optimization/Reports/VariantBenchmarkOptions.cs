namespace ModelLoop.Optimization.Reports;

/// <summary>How <see cref="VariantBenchmark"/> times variants.</summary>
public sealed record VariantBenchmarkOptions
{
    /// <summary>Timed batch-1 calls per variant per round. Defaults to 100.</summary>
    public int LatencyCalls { get; init; } = 100;
    /// <summary>Untimed calls before each variant's first round (lazy initialisation, caches). Defaults to 10.</summary>
    public int WarmupCalls { get; init; } = 10;
    /// <summary>Batch size of the throughput measurement. Defaults to 256.</summary>
    public int ThroughputBatch { get; init; } = 256;
    /// <summary>Timed batches per variant per round. Defaults to 4.</summary>
    public int ThroughputBatches { get; init; } = 4;
    /// <summary>Least seconds of batches per variant per round, whatever <see cref="ThroughputBatches"/> says. Defaults to 0.25.</summary>
    public double MinThroughputSeconds { get; init; } = 0.25;
    /// <summary>
    /// Rounds: each round times every variant once, in turn, so a machine slowing down or speeding up hits all variants
    /// alike (the figures are compared with each other). Defaults to 3.
    /// </summary>
    public int Rounds { get; init; } = 3;
    /// <summary>Batch size when scoring the test rows. Defaults to 256.</summary>
    public int ScoreBatch { get; init; } = 256;

    internal void Validate()
    {
        foreach (var (name, value, min) in new[] { ("LatencyCalls", LatencyCalls, 1), ("WarmupCalls", WarmupCalls, 0), ("ThroughputBatch", ThroughputBatch, 1),
                     ("ThroughputBatches", ThroughputBatches, 1), ("Rounds", Rounds, 1), ("ScoreBatch", ScoreBatch, 1) })
            if (value < min)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {min}; received {value}.");
        if (!(MinThroughputSeconds >= 0))
            throw new ArgumentOutOfRangeException(nameof(MinThroughputSeconds), MinThroughputSeconds, $"MinThroughputSeconds must be 0 or more; received {MinThroughputSeconds}.");
    }
}
