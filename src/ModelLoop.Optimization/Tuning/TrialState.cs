namespace ModelLoop.Optimization.Tuning;

/// <summary>Where a trial is: running, finished with a value, stopped early by the pruner, or failed (its error kept).</summary>
public enum TrialState
{
    Running,
    Complete,
    Pruned,
    Fail,
}
