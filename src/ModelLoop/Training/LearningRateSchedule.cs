namespace ModelLoop.Training;

/// <summary>
/// Sets the learning rate before every batch from the optimizer's base rate and training progress. A pure
/// function of the step, so a resumed run follows the same curve. For plateau-driven decay use the
/// <see cref="Callbacks.ReduceLROnPlateau"/> callback.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The rate for a step. <paramref name="step"/> counts from 0 to <paramref name="totalSteps"/> − 1.</summary>
    public abstract double Rate(double baseRate, long step, long totalSteps, long stepsPerEpoch);

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int everyEpochs, double gamma = 0.1) => new StepSchedule(everyEpochs, gamma);

    /// <summary>Cosine decay from the base rate to <paramref name="minRate"/>, after an optional linear warm-up.</summary>
    public static LearningRateSchedule Cosine(double minRate = 0, double warmupFraction = 0) => new CosineSchedule(minRate, warmupFraction);

    /// <summary>
    /// One-cycle (Smith 2018): cosine rise from base/<paramref name="divFactor"/> to the base rate over
    /// <paramref name="peakFraction"/> of training, then cosine fall to base/(divFactor·finalDivFactor).
    /// </summary>
    public static LearningRateSchedule OneCycle(double peakFraction = 0.3, double divFactor = 25, double finalDivFactor = 1e4) =>
        new OneCycleSchedule(peakFraction, divFactor, finalDivFactor);

    protected static double CosineBetween(double from, double to, double progress) =>
        to + (from - to) * (1 + Math.Cos(Math.PI * Math.Clamp(progress, 0, 1))) / 2;
}

internal sealed record StepSchedule(int EveryEpochs, double Gamma) : LearningRateSchedule
{
    public override double Rate(double baseRate, long step, long totalSteps, long stepsPerEpoch)
    {
        if (EveryEpochs < 1 || Gamma <= 0)
            throw new ArgumentException($"Step schedule needs everyEpochs ≥ 1 and gamma > 0; received everyEpochs={EveryEpochs}, gamma={Gamma}.");
        return baseRate * Math.Pow(Gamma, step / stepsPerEpoch / EveryEpochs);
    }
}

internal sealed record CosineSchedule(double MinRate, double WarmupFraction) : LearningRateSchedule
{
    public override double Rate(double baseRate, long step, long totalSteps, long stepsPerEpoch)
    {
        var warmup = (long)(WarmupFraction * totalSteps);
        if (step < warmup)
            return baseRate * (step + 1) / warmup;
        return CosineBetween(baseRate, MinRate, (double)(step - warmup) / Math.Max(1, totalSteps - warmup - 1));
    }
}

internal sealed record OneCycleSchedule(double PeakFraction, double DivFactor, double FinalDivFactor) : LearningRateSchedule
{
    public override double Rate(double baseRate, long step, long totalSteps, long stepsPerEpoch)
    {
        var peakStep = Math.Max(1, (long)(PeakFraction * totalSteps) - 1);
        var start = baseRate / DivFactor;
        var end = start / FinalDivFactor;
        return step <= peakStep
            ? CosineBetween(start, baseRate, (double)step / peakStep)
            : CosineBetween(baseRate, end, (double)(step - peakStep) / Math.Max(1, totalSteps - 1 - peakStep));
    }
}
