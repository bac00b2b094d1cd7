namespace ModelLoop.Serving.Catalog;

/// <summary>
/// How requests for one model are grouped into forward passes. A batch closes when it holds
/// <see cref="MaxBatchSize"/> items or <see cref="MaxDelay"/> has passed since its first request; a request
/// is never split, so one larger than MaxBatchSize runs alone.
/// </summary>
public sealed record BatchingOptions
{
    /// <summary>Most items in one forward pass. 1 turns batching off (one request, one forward). Defaults to 32.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>Longest a request waits for others to join its batch. Defaults to 2 ms.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Requests that may wait for this model; beyond it requests are shed with 429. Defaults to 1024.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>Throws with what was received and what is allowed when an option is out of range.</summary>
    public BatchingOptions Validate()
    {
        if (MaxBatchSize < 1)
            throw new ArgumentException($"MaxBatchSize must be at least 1 (1 turns batching off); received {MaxBatchSize}.");
        if (MaxDelay < TimeSpan.Zero)
            throw new ArgumentException($"MaxDelay must be zero or positive; received {MaxDelay}.");
        if (QueueCapacity < 1)
            throw new ArgumentException($"QueueCapacity must be at least 1; received {QueueCapacity}.");
        return this;
    }
}
