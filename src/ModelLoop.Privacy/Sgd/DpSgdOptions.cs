namespace ModelLoop.Privacy.Sgd;

/// <summary>
/// DP-SGD settings (Abadi et al. 2016): clip each sample's gradient to <see cref="MaxGradNorm"/>, add Gaussian noise
/// of standard deviation σ·C to the sum, Poisson-sample the batches, and account the privacy spent with RDP.
/// Give either <see cref="TargetEpsilon"/> (σ is calibrated for the run's epochs) or <see cref="NoiseMultiplier"/>.
/// </summary>
public sealed record DpSgdOptions
{
    /// <summary>ε to spend over the whole run; σ is calibrated to reach it. Defaults to null (give <see cref="NoiseMultiplier"/>).</summary>
    public double? TargetEpsilon { get; init; }

    /// <summary>δ of the (ε, δ) guarantee; must be below 1/N for N training samples. Defaults to 1e-5.</summary>
    public double Delta { get; init; } = 1e-5;

    /// <summary>C: each sample's gradient is scaled down to at most this L2 norm (all parameters together). Defaults to 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>σ: noise standard deviation ÷ C. Defaults to null: calibrated from <see cref="TargetEpsilon"/>.</summary>
    public double? NoiseMultiplier { get; init; }

    /// <summary>Per-sample norms without materialising per-sample gradients where that is cheaper. Defaults to true.</summary>
    public bool GhostClipping { get; init; } = true;

    /// <summary>
    /// Seed of the noise generator, for reproducible tests only: noise an attacker can predict protects nothing.
    /// Defaults to null: seeded from the operating system's cryptographic generator.
    /// </summary>
    public long? NoiseSeed { get; init; }
}
