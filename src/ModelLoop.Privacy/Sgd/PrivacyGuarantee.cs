namespace ModelLoop.Privacy.Sgd;

/// <summary>
/// The (ε, δ) guarantee a DP-SGD run gave its model, as recorded in the model package's metrics by
/// <see cref="PrivateTraining"/> and shown in the evaluation report by <see cref="DifferentialPrivacyAddOn"/>.
/// </summary>
/// <param name="Epsilon">ε spent over the whole run (RDP accountant, subsampled Gaussian mechanism).</param>
/// <param name="Delta">δ of the guarantee.</param>
/// <param name="NoiseMultiplier">σ: the noise's standard deviation ÷ <paramref name="MaxGradNorm"/>.</param>
/// <param name="MaxGradNorm">C: the per-sample clipping norm.</param>
/// <param name="SampleRate">q: the Poisson sampling rate (expected batch ÷ training rows); null in packages that did not record it.</param>
/// <param name="Steps">Noisy steps taken; null in packages that did not record it.</param>
public sealed record PrivacyGuarantee(double Epsilon, double Delta, double NoiseMultiplier, double MaxGradNorm, double? SampleRate, long? Steps)
{
    /// <summary>The guarantee in package metrics (<see cref="PrivateTraining.EpsilonMetric"/> and the rest), or null without dp_epsilon.</summary>
    public static PrivacyGuarantee? FromMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (!metrics.TryGetValue(PrivateTraining.EpsilonMetric, out var epsilon))
            return null;
        double Get(string key) => metrics.TryGetValue(key, out var v) ? v : double.NaN;
        return new PrivacyGuarantee(epsilon, Get(PrivateTraining.DeltaMetric), Get(PrivateTraining.NoiseMetric), Get(PrivateTraining.ClipMetric),
            metrics.TryGetValue(PrivateTraining.SampleRateMetric, out var q) ? q : null,
            metrics.TryGetValue(PrivateTraining.StepsMetric, out var steps) ? (long)steps : null);
    }
}
