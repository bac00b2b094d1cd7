using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelLoop.Optimization.Reports;

/// <summary>The variants of one model side by side, as `modelloop optimize` writes them (JSON, Markdown table, HTML, Pareto plot).</summary>
public sealed record OptimizationReport
{
    /// <summary>The model the variants were made from (what the user named).</summary>
    public required string Model { get; init; }
    /// <summary>The CPU the timings were taken on; latency and throughput only compare within one report.</summary>
    public required string Cpu { get; init; }
    /// <summary>Threads each runtime used.</summary>
    public required int Threads { get; init; }
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The baseline first, then each variant.</summary>
    public required IReadOnlyList<VariantMeasurement> Variants { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static OptimizationReport FromJson(string json) =>
        JsonSerializer.Deserialize<OptimizationReport>(json, Json) ?? throw new InvalidDataException("The optimization report JSON is empty (null).");
}
