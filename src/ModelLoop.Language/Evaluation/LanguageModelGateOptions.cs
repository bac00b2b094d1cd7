using ModelLoop.Evaluation;
using ModelLoop.Native;

namespace ModelLoop.Language.Evaluation;

/// <summary>How <see cref="LanguageModelGate.Run"/> compares two language models and what it may promote.</summary>
public sealed record LanguageModelGateOptions
{
    /// <summary>Registry and run-store folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Which documents of the challenger's split both are scored on. Defaults to <see cref="HeldOutSplit.Test"/>.</summary>
    public HeldOutSplit Split { get; init; } = HeldOutSplit.Test;
    /// <summary>Another corpus than the challenger's own, cut by its split. Defaults to null: the challenger's corpus.</summary>
    public string? Corpus { get; init; }
    /// <summary>α, bootstrap resamples, confidence level and seed. Defaults to <see cref="ComparisonOptions"/>' defaults (0.05, 1000, 0.95, 0).</summary>
    public ComparisonOptions Comparison { get; init; } = new();
    /// <summary>
    /// The aliases a better challenger takes (<see cref="Registry.ChallengerPromotion.Decide"/>); both models must then be
    /// versions of one registered model. Defaults to none: compare only, promote nothing.
    /// </summary>
    public IReadOnlyList<string> Promote { get; init; } = [];
    /// <summary>Who decides, for the alias history. Defaults to null: the OS user name.</summary>
    public string? Actor { get; init; }
    /// <summary>Windows per forward pass. Defaults to <see cref="LanguageModelScoring.DefaultBatchSize"/>.</summary>
    public int BatchSize { get; init; } = LanguageModelScoring.DefaultBatchSize;
    /// <summary>Defaults to <see cref="ComputeDevice.Cpu"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;
}
