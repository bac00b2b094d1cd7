namespace ModelLoop.Optimization.Reports;

/// <summary>A variant to measure: how to run it and what is known of it without running it (see <see cref="VariantBenchmark"/>).</summary>
public sealed record VariantCandidate
{
    public required string Name { get; init; }
    public required string Method { get; init; }
    /// <summary>Runs the variant; <see cref="VariantBenchmark.Measure"/> does not dispose it.</summary>
    public required IVariantPredictor Predictor { get; init; }
    /// <summary>"torchsharp" or "onnxruntime".</summary>
    public required string Runtime { get; init; }
    public string? PackagePath { get; init; }
    public long? Parameters { get; init; }
    public long? NonZeroParameters { get; init; }
    public long? SizeBytes { get; init; }
    public long? CompressedBytes { get; init; }
}
