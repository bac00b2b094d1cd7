using MathNet.Numerics.Distributions;

namespace ModelLoop.Monitoring.Statistics;

/// <summary>A proportion k / n with its two-sided Wilson score confidence interval.</summary>
/// <param name="Estimate">k / n.</param>
/// <param name="Lower">The interval's lower end (0 when k = 0).</param>
/// <param name="Upper">The interval's upper end (1 when k = n).</param>
/// <param name="ConfidenceLevel">The interval's confidence level, e.g. 0.95.</param>
public sealed record ProportionInterval(double Estimate, double Lower, double Upper, double ConfidenceLevel)
{
    /// <summary>
    /// The Wilson score interval without continuity correction, as
    /// <c>scipy.stats.binomtest(k, n).proportion_ci(confidence_level, method='wilson')</c>: center
    /// (k + z²/2) / (n + z²), half-width z / (n + z²) · √(k(n − k)/n + z²/4), z the normal quantile of
    /// (1 + level) / 2. Unlike the normal (Wald) interval it stays inside [0, 1] and is sensible at k = 0 or n.
    /// </summary>
    /// <param name="successes">k, in [0, n].</param>
    /// <param name="trials">n, at least 1.</param>
    /// <param name="confidenceLevel">In (0, 1). Defaults to 0.95.</param>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1, k outside [0, n], or the level outside (0, 1).</exception>
    public static ProportionInterval Wilson(long successes, long trials, double confidenceLevel = 0.95)
    {
        if (trials < 1)
            throw new ArgumentOutOfRangeException(nameof(trials), trials, "Expected at least 1 trial. What to do: report no estimate until an outcome is known.");
        if (successes < 0 || successes > trials)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"Expected successes in [0, {trials}] (the number of trials).");
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "Expected a confidence level in (0, 1), e.g. 0.95.");
        double n = trials, p = successes / n, q = 1 - p;
        double z = Normal.InvCDF(0, 1, 0.5 + 0.5 * confidenceLevel);
        double denominator = 2 * (n + z * z);
        double center = (2 * n * p + z * z) / denominator;
        double delta = z / denominator * Math.Sqrt(4 * n * p * q + z * z);
        double lower = successes == 0 ? 0.0 : center - delta;
        double upper = successes == trials ? 1.0 : center + delta;
        return new ProportionInterval(p, lower, upper, confidenceLevel);
    }
}
