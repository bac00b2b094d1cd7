namespace ModelLoop.Language.Generation.Scheduling;

/// <summary>How a <see cref="GenerationScheduler"/> shares its model between concurrent sequences.</summary>
public sealed record GenerationSchedulerOptions
{
    /// <summary>
    /// Sequences decoded together in one forward pass (the key/value cache's rows); more wait for a row to free up.
    /// Memory: 2 · layers · MaxSequences · block size · width values. Defaults to 16.
    /// </summary>
    public int MaxSequences { get; init; } = 16;

    /// <summary>Sequences that may wait for a row; a submission that would pass it is refused (<see cref="SchedulerFullException"/>). Defaults to 256.</summary>
    public int MaxWaiting { get; init; } = 256;

    /// <summary>Checks every option; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">An option out of range.</exception>
    public GenerationSchedulerOptions Validate()
    {
        if (MaxSequences < 1)
            throw new ArgumentException($"MaxSequences must be at least 1; received MaxSequences={MaxSequences}.", nameof(MaxSequences));
        if (MaxWaiting < 0)
            throw new ArgumentException($"MaxWaiting must be at least 0; received MaxWaiting={MaxWaiting}.", nameof(MaxWaiting));
        return this;
    }
}
