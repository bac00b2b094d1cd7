namespace ModelLoop.Evaluation;

/// <summary>Which form of McNemar's test was used.</summary>
public enum McNemarMethod
{
    /// <summary>Exact two-sided binomial test of the discordant pairs at p = ½ (used for few discordant pairs).</summary>
    ExactBinomial,
    /// <summary>χ² = (|b − c| − 1)² / (b + c) with one degree of freedom (Edwards' continuity correction).</summary>
    ChiSquareWithContinuityCorrection,
}
