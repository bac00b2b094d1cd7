namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Optuna's MedianPruner: prunes a trial whose best value so far is worse than the median of the completed trials'
/// values at the same step. Nothing is pruned before <see cref="StartupTrials"/> trials have completed, before step
/// <see cref="WarmupSteps"/>, off the <see cref="IntervalSteps"/> grid, or when no completed trial reported that step.
/// </summary>
public sealed class MedianPruner : Pruner
{
    /// <summary>Completed trials needed before pruning. Defaults to 5 (Optuna's n_startup_trials).</summary>
    public int StartupTrials { get; init; } = 5;
    /// <summary>Steps reported before a trial can be pruned. Defaults to 0 (Optuna's n_warmup_steps).</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Check every this many steps after the warmup. Defaults to 1 (Optuna's interval_steps).</summary>
    public int IntervalSteps { get; init; } = 1;

    public override bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials, StudyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(trials);
        if (trial.LastStep is not { } step)
            return false;
        var completed = trials.Where(t => t.State == TrialState.Complete && t.Number != trial.Number).ToList();
        if (completed.Count < StartupTrials || step <= WarmupSteps || (step - WarmupSteps) % IntervalSteps != 0)
            return false;
        var best = direction == StudyDirection.Maximize ? trial.Intermediate.Values.Max() : trial.Intermediate.Values.Min();
        if (double.IsNaN(best))
            return true;
        var others = completed.Where(t => t.Intermediate.ContainsKey(step)).Select(t => t.Intermediate[step]).Where(v => !double.IsNaN(v)).Order().ToArray();
        if (others.Length == 0)
            return false;
        var median = others.Length % 2 == 1 ? others[others.Length / 2] : 0.5 * (others[others.Length / 2 - 1] + others[others.Length / 2]);
        return Worse(best, median, direction);
    }
}
