using System.Text.Json.Serialization;

namespace ModelLoop.Monitoring.Drift;

/// <summary>How one drift check compared the window with the reference.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftMethod>))]
public enum DriftMethod
{
    /// <summary>Two-sample Kolmogorov–Smirnov test (numbers, small windows): a p-value.</summary>
    KolmogorovSmirnov,
    /// <summary>Chi-squared test of homogeneity (categories and classes, small windows): a p-value.</summary>
    ChiSquared,
    /// <summary>Wasserstein-1 distance divided by the reference's standard deviation (numbers, large windows).</summary>
    Wasserstein,
    /// <summary>Jensen–Shannon distance, natural logarithm (categories and classes, large windows).</summary>
    JensenShannon,
    /// <summary>Population stability index on the reference's decile bins or categories (large windows).</summary>
    PopulationStability,
    /// <summary>RBF-kernel MMD² with a permutation p-value (embeddings, any window size).</summary>
    MaximumMeanDiscrepancy,
}
