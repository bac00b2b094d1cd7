namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Decides, after a trial reports a step, whether to stop it early. Asynchronous: it judges from whatever the other
/// trials (in any worker) have reported so far, read from storage, and keeps no state of its own.
/// </summary>
public abstract class Pruner
{
    /// <param name="trial">The trial asking, with every value it has reported so far.</param>
    /// <param name="trials">Every trial of the study (the asking one included), as stored now.</param>
    public abstract bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials, StudyDirection direction);

    /// <summary>True when <paramref name="a"/> is worse than <paramref name="b"/> in <paramref name="direction"/>.</summary>
    internal static bool Worse(double a, double b, StudyDirection direction) => direction == StudyDirection.Maximize ? a < b : a > b;
}
