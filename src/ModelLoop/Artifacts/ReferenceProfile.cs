namespace ModelLoop.Artifacts;

/// <summary>How a monitored feature is compared between reference and live data.</summary>
public enum FeatureKind
{
    /// <summary>A number: Kolmogorov–Smirnov on small windows, Wasserstein / PSI on large ones.</summary>
    Numeric,
    /// <summary>A category: chi-squared on small windows, Jensen–Shannon / PSI on large ones.</summary>
    Categorical,
}

/// <summary>
/// What the model saw at training time, saved in the model package (<see cref="ArtifactMetadata.Reference"/>) so that
/// drift detection can compare live traffic with it: per-feature summaries with a seeded reference sample, a sample of
/// penultimate-layer embeddings (images and other tensors), and the model's own predicted-class distribution and
/// confidence on held-out data. Computed by <see cref="ReferenceProfileBuilder"/> in <c>TrainingJob</c>.
/// </summary>
public sealed record ReferenceProfile
{
    public int FormatVersion { get; init; } = 1;
    /// <summary>Which part of the data the model-dependent parts (embeddings, predictions, confidence) came from: "validation" or "test".</summary>
    public string Source { get; init; } = "validation";
    /// <summary>Rows the feature summaries were computed on (training rows).</summary>
    public int Rows { get; init; }
    /// <summary>The monitored input features, in a fixed order.</summary>
    public IReadOnlyList<FeatureReference> Features { get; init; } = [];
    /// <summary>A sample of penultimate-layer embeddings on held-out data, or null.</summary>
    public EmbeddingReference? Embeddings { get; init; }
    /// <summary>Classification: the fraction of held-out items predicted as each class (class-index order); else null.</summary>
    public double[]? PredictedClassFrequencies { get; init; }
    /// <summary>Classification: a sample of the top probability on held-out items, sorted; else null.</summary>
    public double[]? Confidence { get; init; }
    /// <summary>Regression: a sample of the first predicted value on held-out items, sorted; else null.</summary>
    public double[]? PredictedValues { get; init; }
    /// <summary>Classification: accuracy on the held-out items the other parts came from; else null.</summary>
    public double? Accuracy { get; init; }
}

/// <summary>One monitored feature's reference.</summary>
public sealed record FeatureReference
{
    public required string Name { get; init; }
    public FeatureKind Kind { get; init; }
    /// <summary>Numeric: a seeded sample of the reference values (missing left out), sorted ascending; null for categorical.</summary>
    public double[]? Sample { get; init; }
    /// <summary>Numeric: [min, q10, …, q90, max] of all reference values; the bin edges of PSI.</summary>
    public double[]? Quantiles { get; init; }
    public double? Mean { get; init; }
    public double? StandardDeviation { get; init; }
    /// <summary>Categorical: how often each category occurred in the reference rows (missing as <see cref="MonitoredItem.Missing"/>).</summary>
    public IReadOnlyDictionary<string, long>? Counts { get; init; }
    /// <summary>Fraction of reference rows where the feature was missing.</summary>
    public double MissingFraction { get; init; }
}

/// <summary>A sample of embeddings: <see cref="Sample"/>[row] has <see cref="Dimensions"/> values.</summary>
public sealed record EmbeddingReference(int Dimensions, float[][] Sample);

/// <summary>
/// What monitoring keeps of one served (or reference) item: its monitored features, its embedding, and what the model
/// answered. The server extracts it with the same code as the reference (<see cref="ReferenceProfileBuilder"/>), so a
/// live item and the reference compare like with like.
/// </summary>
public sealed record MonitoredItem
{
    /// <summary>The category name that stands for a missing value.</summary>
    public const string Missing = "<missing>";

    /// <summary>Numeric features by name; null = missing.</summary>
    public IReadOnlyDictionary<string, double?> Numeric { get; init; } = new Dictionary<string, double?>();
    /// <summary>Categorical features by name; null = missing.</summary>
    public IReadOnlyDictionary<string, string?> Categorical { get; init; } = new Dictionary<string, string?>();
    /// <summary>The penultimate-layer embedding, or null when not recorded.</summary>
    public float[]? Embedding { get; init; }
    /// <summary>Classification: the predicted class index.</summary>
    public int? PredictedClass { get; init; }
    /// <summary>Classification: the top probability.</summary>
    public double? Confidence { get; init; }
    /// <summary>Regression: the first predicted value.</summary>
    public double? PredictedValue { get; init; }
}
