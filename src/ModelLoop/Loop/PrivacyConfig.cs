namespace ModelLoop.Loop;

/// <summary>
/// Differentially private training (DP-SGD) of a <see cref="TrainingConfig"/>: per-sample clipping, Gaussian noise,
/// Poisson-sampled batches of expected size batchSize, privacy accounted with RDP. Run it through ModelLoop.Privacy
/// (<c>PrivateTraining.Options</c>; <c>modelloop train --dp-epsilon</c> does).
/// </summary>
/// <example><code>privacy: { epsilon: 3, delta: 1.0e-5, maxGradNorm: 1.0 }</code></example>
public sealed record PrivacyConfig
{
    /// <summary>ε to spend over the run; the noise multiplier is calibrated to it. Defaults to null (give noiseMultiplier).</summary>
    public double? Epsilon { get; init; }
    /// <summary>δ of the guarantee; below 1/N for N training samples. Defaults to 1e-5.</summary>
    public double Delta { get; init; } = 1e-5;
    /// <summary>Per-sample gradient clipping norm C. Defaults to 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>σ (noise std ÷ C); when given, epsilon is only reported. Defaults to null (calibrated from epsilon).</summary>
    public double? NoiseMultiplier { get; init; }
    /// <summary>The privacy accountant: rdp (Rényi DP of the subsampled Gaussian, as Opacus and TF Privacy). Defaults to rdp.</summary>
    public string Accountant { get; init; } = "rdp";

    /// <summary>Checks the ranges that do not need the data (δ &lt; 1/N is checked when training starts).</summary>
    public void Validate()
    {
        if (Epsilon is null && NoiseMultiplier is null)
            throw new ArgumentException("privacy needs epsilon (e.g. 3; the noise is calibrated to it) or noiseMultiplier (e.g. 1.0); received neither.");
        if (Epsilon is { } eps && !(eps > 0 && double.IsFinite(eps)))
            throw new ArgumentException($"privacy.epsilon must be a finite number > 0; received {eps}. Smaller is more private: try 1, 3 or 8.");
        if (!(Delta > 0 && Delta < 1))
            throw new ArgumentException($"privacy.delta must be in (0, 1) and below 1/N; received {Delta}. Try 1e-5.");
        if (!(MaxGradNorm > 0 && double.IsFinite(MaxGradNorm)))
            throw new ArgumentException($"privacy.maxGradNorm must be a finite number > 0; received {MaxGradNorm}. Try 1.0.");
        if (NoiseMultiplier is { } sigma && !(sigma >= 0 && double.IsFinite(sigma)))
            throw new ArgumentException($"privacy.noiseMultiplier must be a finite number ≥ 0; received {sigma}.");
        if (!string.Equals(Accountant, "rdp", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"privacy.accountant '{Accountant}' is not known; the one accountant is rdp.");
    }
}
