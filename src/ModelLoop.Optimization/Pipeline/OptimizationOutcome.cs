using ModelLoop.Optimization.Reports;

namespace ModelLoop.Optimization.Pipeline;

/// <summary>What <see cref="OptimizationJob.Run"/> made: each variant's package, the measured report and where it was written.</summary>
public sealed record OptimizationOutcome
{
    public required OptimizationReport Report { get; init; }
    public required OptimizationReportWriter.Files Files { get; init; }
    /// <summary>Variant name → package path (the baseline is the parent's).</summary>
    public required IReadOnlyDictionary<string, string> Packages { get; init; }
    /// <summary>Variant name → registry version, for variants registered with <see cref="OptimizationRequest.Register"/>.</summary>
    public IReadOnlyDictionary<string, int> Registered { get; init; } = new Dictionary<string, int>();
}
