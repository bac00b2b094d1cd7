namespace ModelLoop.Loop;

/// <summary>The per-batch learning-rate schedule of a run (<see cref="Training.LearningRateSchedule"/> in serializable form).</summary>
public sealed record ScheduleConfig
{
    /// <summary>constant, step, cosine or one-cycle. Defaults to constant.</summary>
    public string Name { get; init; } = "constant";
    /// <summary>step: epochs between decays. Defaults to 1.</summary>
    public int EveryEpochs { get; init; } = 1;
    /// <summary>step: the decay factor. Defaults to 0.1.</summary>
    public double Gamma { get; init; } = 0.1;
    /// <summary>cosine: the final rate. Defaults to 0.</summary>
    public double MinRate { get; init; }
    /// <summary>cosine: share of the steps spent warming up linearly. Defaults to 0.</summary>
    public double WarmupFraction { get; init; }
    /// <summary>one-cycle: where in the run the rate peaks. Defaults to 0.3.</summary>
    public double PeakFraction { get; init; } = 0.3;
}
