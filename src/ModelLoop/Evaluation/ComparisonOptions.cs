namespace ModelLoop.Evaluation;

/// <summary>Settings of <see cref="ModelComparison"/>.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Significance level of the verdict's test. Defaults to 0.05.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Paired bootstrap resamples for the confidence intervals. Defaults to 1000.</summary>
    public int BootstrapResamples { get; init; } = 1000;

    /// <summary>Confidence level of the intervals. Defaults to 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Seed of the bootstrap resampling (same seed, same intervals). Defaults to 0.</summary>
    public int Seed { get; init; }

    /// <summary>McNemar uses the exact binomial test below this many discordant pairs. Defaults to 25.</summary>
    public int ExactBelow { get; init; } = McNemarTest.DefaultExactBelow;

    internal void Validate()
    {
        if (Alpha is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be in (0, 1), e.g. 0.05.");
        if (ConfidenceLevel is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "ConfidenceLevel must be in (0, 1), e.g. 0.95.");
        if (BootstrapResamples < 0)
            throw new ArgumentOutOfRangeException(nameof(BootstrapResamples), BootstrapResamples, "BootstrapResamples cannot be negative; 0 skips the intervals, 1000 is usual.");
    }
}
