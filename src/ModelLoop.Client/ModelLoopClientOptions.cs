namespace ModelLoop.Client;

/// <summary>Retry and timeout settings of <see cref="ModelLoopClient"/>.</summary>
public sealed record ModelLoopClientOptions
{
    /// <summary>
    /// Retries after a transient failure (connection error, 408, 429, 5xx) of a call that is safe to repeat (reads,
    /// PUT/DELETE, feedback, and predictions, which carry an Idempotency-Key); creating tenants and keys is never retried.
    /// 0 turns retries off. Defaults to 3.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; later ones double, with jitter. A Retry-After header takes precedence. Defaults to 200 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A 429 asking to wait longer than this (a used-up daily quota) is not retried but thrown. Defaults to 10 s.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time limit for one call, retries included. Defaults to 100 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
}
