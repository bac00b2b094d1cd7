using System.Globalization;

namespace ModelLoop.Optimization.Pruning;

/// <summary>
/// What to prune and how far: the target <see cref="Sparsity"/>, unstructured weights (<see cref="PruningStructure.Weights"/>,
/// kept sparse by <see cref="MagnitudePruning"/>'s masks) or whole channels and neurons (<see cref="PruningStructure.Channels"/>,
/// a smaller dense model from <see cref="ChannelPruning"/>), and for weights the threshold scope and the schedule.
/// </summary>
public sealed record PruningOptions
{
    /// <summary>
    /// Share of the prunable weights set to zero (weights), or of each prunable layer's output channels/neurons removed
    /// (channels), in (0, 1), e.g. 0.9. Required.
    /// </summary>
    public double Sparsity { get; init; }
    /// <summary>Defaults to <see cref="PruningStructure.Weights"/> (unstructured).</summary>
    public PruningStructure Structure { get; init; } = PruningStructure.Weights;
    /// <summary>Weights only: one threshold over all prunable weights, or one per layer. Defaults to <see cref="PruningScope.Global"/>.</summary>
    public PruningScope Scope { get; init; } = PruningScope.Global;
    /// <summary>Weights only: prune at once, or ramp the sparsity up during fine-tuning. Defaults to <see cref="PruningSchedule.OneShot"/>.</summary>
    public PruningSchedule Schedule { get; init; } = PruningSchedule.OneShot;
    /// <summary>
    /// Polynomial schedule: optimizer steps over which the sparsity rises from <see cref="InitialSparsity"/> to
    /// <see cref="Sparsity"/> (Zhu and Gupta's n·Δt). Defaults to null: a <see cref="PruningJob"/> ramps over the first half
    /// of its fine-tuning steps; the plugin used alone needs it set.
    /// </summary>
    public int? RampSteps { get; init; }
    /// <summary>Polynomial schedule: the masks are recomputed every this many optimizer steps (Zhu and Gupta's Δt). Defaults to 50.</summary>
    public int UpdateEvery { get; init; } = 50;
    /// <summary>Polynomial schedule: the sparsity at step 0, in [0, <see cref="Sparsity"/>). Defaults to 0.</summary>
    public double InitialSparsity { get; init; }
    /// <summary>Parameter name prefixes never pruned (e.g. "dense_2." to keep the classifier head dense). Defaults to none.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Checks the ranges; returns the options.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names it.</exception>
    public PruningOptions Validate()
    {
        if (!(Sparsity is > 0 and < 1))
            throw new ArgumentException($"sparsity must be in (0, 1), the share of weights (or channels) to remove, e.g. 0.9; received {Sparsity.ToString(CultureInfo.InvariantCulture)}.", nameof(Sparsity));
        if (!Enum.IsDefined(Structure) || !Enum.IsDefined(Scope) || !Enum.IsDefined(Schedule))
            throw new ArgumentException($"structure, scope or schedule is not a known value; received {Structure}, {Scope}, {Schedule}. Use Weights|Channels, Global|PerLayer, OneShot|Polynomial.");
        if (Schedule == PruningSchedule.Polynomial)
        {
            if (RampSteps is < 1)
                throw new ArgumentException($"rampSteps must be at least 1 when given; received {RampSteps}.", nameof(RampSteps));
            if (UpdateEvery < 1)
                throw new ArgumentException($"updateEvery must be at least 1; received {UpdateEvery}.", nameof(UpdateEvery));
            if (!(InitialSparsity >= 0 && InitialSparsity < Sparsity))
                throw new ArgumentException($"initialSparsity must be in [0, sparsity = {Sparsity.ToString(CultureInfo.InvariantCulture)}); received {InitialSparsity.ToString(CultureInfo.InvariantCulture)}.", nameof(InitialSparsity));
        }
        return this;
    }

    /// <summary>Zhu and Gupta (2017): s_t = s_f + (s_i − s_f)·(1 − t/n)³ for t ≤ n, then s_f; one-shot is s_f from step 0.</summary>
    public double SparsityAt(long step, int rampSteps)
    {
        if (Schedule == PruningSchedule.OneShot)
            return Sparsity;
        var progress = Math.Min(1.0, Math.Max(0, step) / (double)rampSteps);
        return Sparsity + (InitialSparsity - Sparsity) * Math.Pow(1 - progress, 3);
    }
}
