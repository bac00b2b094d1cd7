namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2018, Optuna's SuccessiveHalvingPruner): rung r is step
/// <see cref="MinResource"/>·η^(<see cref="MinEarlyStoppingRate"/> + r). A trial reaching a rung competes with every trial
/// that has reached that rung so far (its value at the first step at or past the rung) and goes on only when it is among
/// the top 1/η of them (the best one when fewer than η have); else it is pruned there. Decisions never wait for
/// other trials, so workers never idle.
/// </summary>
/// <remarks>
/// η defaults to 3, as in the ASHA and Hyperband papers, not Optuna's 4: studies here run ≲ 10 epochs per trial, and
/// with η = 3 and one epoch as the minimum resource the rungs are epochs 1, 3 and 9 — three chances to be judged
/// instead of two (epochs 1 and 4).
/// </remarks>
public sealed class SuccessiveHalvingPruner : Pruner
{
    /// <summary>Steps (epochs) before the first rung. Defaults to 1.</summary>
    public int MinResource { get; init; } = 1;
    /// <summary>η: one in η trials is promoted from each rung. Defaults to 3.</summary>
    public int ReductionFactor { get; init; } = 3;
    /// <summary>s: the first rung is at MinResource·η^s. Defaults to 0.</summary>
    public int MinEarlyStoppingRate { get; init; }

    /// <summary>The step of rung <paramref name="rung"/>.</summary>
    public long RungStep(int rung) => MinResource * (long)Math.Pow(ReductionFactor, MinEarlyStoppingRate + rung);

    public override bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> trials, StudyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(trials);
        if (MinResource < 1 || ReductionFactor < 2 || MinEarlyStoppingRate < 0)
            throw new ArgumentException($"Successive halving needs minResource ≥ 1, reductionFactor ≥ 2 and minEarlyStoppingRate ≥ 0; received {MinResource}, {ReductionFactor}, {MinEarlyStoppingRate}.");
        if (trial.LastStep is not { } step)
            return false;
        // The rung this step is judged at: the highest rung at or below the step that the trial reports first now.
        for (var rung = 0; RungStep(rung) <= step; rung++)
        {
            var rungStep = RungStep(rung);
            if (RungValue(trial, rungStep) is not { } value || trial.Intermediate.Keys.Any(s => s >= rungStep && s < step))
                continue; // judged at this rung on an earlier report
            if (double.IsNaN(value))
                return true;
            var competing = trials.Where(t => t.Number != trial.Number).Select(t => RungValue(t, rungStep)).Where(v => v is not null && !double.IsNaN(v.Value))
                .Select(v => v!.Value).Append(value).ToList();
            if (!Promotable(value, competing, direction))
                return true;
        }
        return false;
    }

    /// <summary>Whether <paramref name="value"/> is within the top ⌊n/η⌋ (at least the best one) of the rung's values.</summary>
    internal bool Promotable(double value, IReadOnlyList<double> competing, StudyDirection direction)
    {
        var index = Math.Max(competing.Count / ReductionFactor - 1, 0);
        var ranked = direction == StudyDirection.Maximize ? competing.OrderDescending().ToList() : competing.Order().ToList();
        return !Worse(value, ranked[index], direction);
    }

    /// <summary>A trial's value at a rung: what it reported at the first step at or past it, or null when it never got there.</summary>
    private static double? RungValue(TrialRecord trial, long rungStep) =>
        trial.Intermediate.Where(p => p.Key >= rungStep).OrderBy(p => p.Key).Select(p => (double?)p.Value).FirstOrDefault();
}
