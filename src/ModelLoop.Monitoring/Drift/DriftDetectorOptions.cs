namespace ModelLoop.Monitoring.Drift;

/// <summary>
/// Settings of <see cref="DriftDetector"/>. Small windows are tested (p-values, corrected for multiple testing); large
/// windows, where a test would flag any tiny harmless difference, are measured with distances against fixed
/// thresholds, as Evidently does.
/// </summary>
public sealed record DriftDetectorOptions
{
    /// <summary>
    /// The family-wise false-alarm rate of one window: every p-value of the window is Holm-adjusted and a test drifts
    /// when its adjusted p-value is ≤ α. Defaults to 0.001, so that 20 clean windows raise a false alarm with
    /// probability below 2 %.
    /// </summary>
    public double Alpha { get; init; } = 0.001;

    /// <summary>
    /// Windows (per check: the number of values it compares) with fewer values are tested (Kolmogorov–Smirnov,
    /// chi-squared); from this many on, distances are compared with thresholds instead. Defaults to 1000 (Evidently's
    /// limit).
    /// </summary>
    public int SmallWindowLimit { get; init; } = 1000;

    /// <summary>The large-window method for numbers: <see cref="DriftMethod.Wasserstein"/> (default) or <see cref="DriftMethod.PopulationStability"/>.</summary>
    public DriftMethod LargeWindowNumeric { get; init; } = DriftMethod.Wasserstein;

    /// <summary>The large-window method for categories and classes: <see cref="DriftMethod.JensenShannon"/> (default) or <see cref="DriftMethod.PopulationStability"/>.</summary>
    public DriftMethod LargeWindowCategorical { get; init; } = DriftMethod.JensenShannon;

    /// <summary>Drift when the Wasserstein distance divided by the reference's standard deviation is ≥ this. Defaults to 0.1 (Evidently).</summary>
    public double WassersteinThreshold { get; init; } = 0.1;

    /// <summary>Drift when the Jensen–Shannon distance (natural logarithm) is ≥ this. Defaults to 0.1 (Evidently).</summary>
    public double JensenShannonThreshold { get; init; } = 0.1;

    /// <summary>Drift when the population stability index is ≥ this. Defaults to 0.2 (the usual "significant shift").</summary>
    public double PopulationStabilityThreshold { get; init; } = 0.2;

    /// <summary>
    /// Permutations of the embedding (MMD²) test. Defaults to 1000. The smallest p-value a permutation test can give is
    /// 1 / (permutations + 1); when that could not pass the Holm-corrected α of the window's m tests, the detector uses
    /// ⌈m / α⌉ permutations instead (and says so in the check's note), so that an embedding shift can raise the alarm.
    /// </summary>
    public int Permutations { get; init; } = 1000;

    /// <summary>Seeds the permutations and the reference-embedding subsample, so a report is reproducible. Defaults to 0.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// A window with fewer items gets <see cref="DriftVerdict.NotEnoughData"/> instead of a verdict, and a check with
    /// fewer values (e.g. a mostly missing feature) is skipped with a note. Defaults to 30.
    /// </summary>
    public int MinimumItems { get; init; } = 30;

    /// <summary>At most this many reference embeddings (a seeded subsample) enter the MMD² test. Defaults to 500.</summary>
    public int MaxEmbeddingReference { get; init; } = 500;

    /// <summary>
    /// The count the reference's predicted-class frequencies are scaled to for the chi-squared test. Defaults to null:
    /// the length of the reference's confidence sample (the held-out items the frequencies came from), else
    /// <see cref="ModelLoop.Artifacts.ReferenceProfile.Rows"/>.
    /// </summary>
    public int? PredictionReferenceCount { get; init; }

    /// <summary>The largest <see cref="DriftReport.Score"/>. Defaults to 10.</summary>
    public double ScoreCap { get; init; } = 10;

    /// <summary>Checks every setting; the error names the setting, what it held and what is allowed.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        Require(Alpha is > 0 and < 1, nameof(Alpha), Alpha, "a number in (0, 1), e.g. 0.001");
        Require(SmallWindowLimit >= 1, nameof(SmallWindowLimit), SmallWindowLimit, "at least 1, e.g. 1000");
        Require(LargeWindowNumeric is DriftMethod.Wasserstein or DriftMethod.PopulationStability,
            nameof(LargeWindowNumeric), LargeWindowNumeric, "Wasserstein or PopulationStability");
        Require(LargeWindowCategorical is DriftMethod.JensenShannon or DriftMethod.PopulationStability,
            nameof(LargeWindowCategorical), LargeWindowCategorical, "JensenShannon or PopulationStability");
        Require(WassersteinThreshold > 0, nameof(WassersteinThreshold), WassersteinThreshold, "a positive number, e.g. 0.1");
        Require(JensenShannonThreshold > 0, nameof(JensenShannonThreshold), JensenShannonThreshold, "a positive number, e.g. 0.1");
        Require(PopulationStabilityThreshold > 0, nameof(PopulationStabilityThreshold), PopulationStabilityThreshold, "a positive number, e.g. 0.2");
        Require(Permutations >= 1, nameof(Permutations), Permutations, "at least 1, e.g. 1000");
        Require(MinimumItems >= 2, nameof(MinimumItems), MinimumItems, "at least 2, e.g. 30");
        Require(MaxEmbeddingReference >= 2, nameof(MaxEmbeddingReference), MaxEmbeddingReference, "at least 2, e.g. 500");
        Require(PredictionReferenceCount is null or >= 1, nameof(PredictionReferenceCount), PredictionReferenceCount, "null or at least 1");
        Require(ScoreCap >= 1, nameof(ScoreCap), ScoreCap, "at least 1, e.g. 10");
    }

    private static void Require(bool valid, string name, object? received, string expected)
    {
        if (!valid)
            throw new ArgumentException(
                $"Received an invalid value for {name}: expected {expected}. Received: {name}={received ?? "null"}.", name);
    }
}
