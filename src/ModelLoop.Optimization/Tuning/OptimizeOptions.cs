namespace ModelLoop.Optimization.Tuning;

/// <summary>How long one worker's <see cref="Study.Optimize"/> goes on.</summary>
public sealed record OptimizeOptions
{
    /// <summary>The study's total trial budget (all workers, earlier runs included; abandoned trials do not count). Defaults to 20.</summary>
    public int Trials { get; init; } = 20;
    /// <summary>Start no new trial after this long. Defaults to null (no limit).</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>This worker's name in the storage. Defaults to host:pid:random.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
    /// <summary>Called after each trial this worker finishes, with the trial and every trial of the study. Defaults to null.</summary>
    public Action<TrialRecord, IReadOnlyList<TrialRecord>>? OnTrialFinished { get; init; }
    /// <summary>When the budget is spent, wait for other workers' running trials (failing stale ones and re-running them). Defaults to true.</summary>
    public bool WaitForOthers { get; init; } = true;
}
