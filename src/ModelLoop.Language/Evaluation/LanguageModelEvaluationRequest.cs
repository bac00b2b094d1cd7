using ModelLoop.Evaluation;
using ModelLoop.Native;

namespace ModelLoop.Language.Evaluation;

/// <summary>What <see cref="LanguageModelEvaluationJob.Run"/> evaluates, on what, and where the report goes.</summary>
public sealed record LanguageModelEvaluationRequest
{
    /// <summary>The model: a package folder or NAME[:VERSION|ALIAS] in the registry (<see cref="LanguageModelResolver"/>).</summary>
    public required string Model { get; init; }
    /// <summary>Registry and run-store folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Another corpus than the model's own, cut by the model's split. Defaults to null: the model's corpus.</summary>
    public string? Corpus { get; init; }
    /// <summary>Which documents are scored. Defaults to <see cref="HeldOutSplit.Test"/>.</summary>
    public HeldOutSplit Split { get; init; } = HeldOutSplit.Test;
    /// <summary>
    /// A champion to compare with on the same documents (a package folder or registry reference): the report shows the
    /// verdict of the paired bootstrap over documents. Defaults to null (no comparison).
    /// </summary>
    public string? Against { get; init; }
    /// <summary>Settings of the comparison with <see cref="Against"/> (α, resamples, seed). Defaults to <see cref="ComparisonOptions"/>' defaults.</summary>
    public ComparisonOptions Comparison { get; init; } = new();
    /// <summary>The report folder. Defaults to null: the model's (<see cref="ResolvedLanguageModel.DefaultReportFolder"/>).</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>Windows per forward pass. Defaults to <see cref="LanguageModelScoring.DefaultBatchSize"/>.</summary>
    public int BatchSize { get; init; } = LanguageModelScoring.DefaultBatchSize;
    /// <summary>Defaults to <see cref="ComputeDevice.Cpu"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;
}
