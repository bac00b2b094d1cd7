namespace ModelLoop.Privacy.Accounting;

/// <summary>A run of <paramref name="Steps"/> identical subsampled-Gaussian steps, as the accountant records them.</summary>
/// <param name="NoiseMultiplier">σ: the noise standard deviation divided by the clipping norm.</param>
/// <param name="SampleRate">q: the probability that each example is in a batch (Poisson sampling).</param>
/// <param name="Steps">How many steps ran with these parameters.</param>
public sealed record RdpStep(double NoiseMultiplier, double SampleRate, long Steps);
