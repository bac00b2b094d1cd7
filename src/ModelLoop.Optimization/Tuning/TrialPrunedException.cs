namespace ModelLoop.Optimization.Tuning;

/// <summary>Thrown by an objective to say its trial was pruned (Optuna's TrialPruned): the trial is PRUNED with its last reported value.</summary>
public sealed class TrialPrunedException(string message) : Exception(message);
