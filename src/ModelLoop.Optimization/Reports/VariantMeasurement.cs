namespace ModelLoop.Optimization.Reports;

/// <summary>One model variant as the optimization report shows it: what it is, how big, how fast and how accurate.</summary>
public sealed record VariantMeasurement
{
    /// <summary>Short name, e.g. "baseline", "pruned-90", "int8".</summary>
    public required string Name { get; init; }
    /// <summary>How it was made, e.g. "fp32 (parent)", "magnitude pruning 90%", "int8 static (QDQ)".</summary>
    public required string Method { get; init; }
    /// <summary>The package it was measured from; null for a variant measured in memory only.</summary>
    public string? PackagePath { get; init; }
    /// <summary>What executed it: "torchsharp" or "onnxruntime".</summary>
    public required string Runtime { get; init; }
    /// <summary>Parameters of the network (all of them, zero or not); null when the runtime does not say.</summary>
    public long? Parameters { get; init; }
    /// <summary>Parameters that are not zero; null when not counted.</summary>
    public long? NonZeroParameters { get; init; }
    /// <summary>Bytes of the stored model (weights.safetensors or model.onnx); null when unknown.</summary>
    public long? SizeBytes { get; init; }
    /// <summary>Bytes of the stored model after DEFLATE: where unstructured sparsity pays off on disk. Null when unknown.</summary>
    public long? CompressedBytes { get; init; }
    /// <summary>Median milliseconds for one item (batch of 1), over the measured calls.</summary>
    public double Batch1LatencyMs { get; init; }
    /// <summary>90th percentile milliseconds for one item.</summary>
    public double Batch1LatencyP90Ms { get; init; }
    /// <summary>Items per second in batches of <see cref="ThroughputBatch"/>.</summary>
    public double ThroughputPerSecond { get; init; }
    /// <summary>The batch size of <see cref="ThroughputPerSecond"/>.</summary>
    public int ThroughputBatch { get; init; }
    /// <summary>Test accuracy (classification) on the shared test rows; null for regression.</summary>
    public double? Accuracy { get; init; }
    /// <summary>Test mean squared error (regression); null for classification.</summary>
    public double? MeanSquaredError { get; init; }
    /// <summary>Test rows scored.</summary>
    public int TestRows { get; init; }
    /// <summary>Against the baseline on the same rows: McNemar's verdict (Better/NotSignificantlyDifferent/Worse) and p-value; null for the baseline.</summary>
    public string? VerdictVersusBaseline { get; init; }
    public double? PValueVersusBaseline { get; init; }
    /// <summary>True when no other variant is at least as good on accuracy, latency and size and better on one.</summary>
    public bool OnParetoFront { get; init; }
}
