namespace ModelLoop.Privacy.Audit;

/// <summary>Which likelihood-ratio test LiRA (Carlini et al. 2022) applies to an example's logit-scaled confidence.</summary>
public enum LiraVariant
{
    /// <summary>
    /// Online (their Algorithm 1): shadow models trained with and without the example give two Gaussians, N(μ_in, σ²_in)
    /// and N(μ_out, σ²_out); the score is log N(φ; μ_in, σ²_in) − log N(φ; μ_out, σ²_out).
    /// </summary>
    Online,
    /// <summary>
    /// Offline: only the shadow models trained without the example are used; the score is the one-sided test statistic
    /// (φ − μ_out) / σ_out (monotone in the p-value 1 − Φ(·), so it ranks examples as the p-value does).
    /// </summary>
    Offline,
}
