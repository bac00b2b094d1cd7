using ModelLoop.Optimization.Reports;
using ModelLoop.Registry;

namespace ModelLoop.Demo;

/// <summary>What the demo's optimization stage did: the int8 version, its figures beside the fp32 model, and the gate's decision.</summary>
public sealed record OptimizationStageOutcome
{
    /// <summary>The fp32 version that was quantized (production after the first half).</summary>
    public required int ParentVersion { get; init; }
    /// <summary>The int8 version registered.</summary>
    public required int Int8Version { get; init; }
    /// <summary>fp32 then int8, measured side by side on the test images.</summary>
    public required IReadOnlyList<VariantMeasurement> Measurements { get; init; }
    /// <summary>The not-worse gate: promoted means the server now serves the int8 version.</summary>
    public required PromotionDecision Decision { get; init; }
    /// <summary>The HTML report with the Pareto plot.</summary>
    public required string Report { get; init; }
    public required TimeSpan Elapsed { get; init; }
}
