using ModelLoop.Native;

namespace ModelLoop.Loop;

/// <summary>What <see cref="EvaluationJob.Run"/> evaluates, on what, and what else it does (compare, cross-validate).</summary>
public sealed record EvaluationRequest
{
    /// <summary>The model: a run folder, a package folder or .zip, or NAME[:VERSION|ALIAS] in the registry.</summary>
    public required string Model { get; init; }
    /// <summary>The data source; defaults to null: the one the model was trained on (from its config).</summary>
    public string? Data { get; init; }
    /// <summary>Registry folder for registry references. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Overrides the label column the model recorded. Defaults to null.</summary>
    public string? Label { get; init; }
    /// <summary>Overrides the split seed the model recorded. Defaults to null.</summary>
    public int? SplitSeed { get; init; }
    /// <summary>Overrides the test fraction the model recorded. Defaults to null.</summary>
    public double? TestFraction { get; init; }
    /// <summary>For an image model saved without preprocessing: standardize with the training images' statistics. Defaults to false.</summary>
    public bool Standardize { get; init; }
    /// <summary>A table column to slice metrics by (fairness). Defaults to null.</summary>
    public string? Group { get; init; }
    /// <summary>The favourable class the fairness gaps compare. Defaults to 1.</summary>
    public int PositiveClass { get; init; } = 1;
    /// <summary>A champion to compare with on the same rows (any form <see cref="Model"/> takes). Defaults to null.</summary>
    public string? Against { get; init; }
    /// <summary>Also cross-validate the architecture with K folds of the training part. Defaults to null.</summary>
    public int? Folds { get; init; }
    /// <summary>Cross-validate on the first N training samples only. Defaults to null (all).</summary>
    public int? Limit { get; init; }
    /// <summary>How many of the most confidently wrong test images to show. Defaults to 16.</summary>
    public int WrongExamples { get; init; } = 16;
    /// <summary>Report folder. Defaults to null: the model's default report folder.</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>Seed of the cross-validation folds and their training. Defaults to 0.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// What loading the model (and <see cref="Against"/>) insists on: <see cref="Artifacts.ArtifactLoadOptions.RequireSignature"/>,
    /// <see cref="Artifacts.ArtifactLoadOptions.RequireEncryption"/>. Defaults to null: nothing required.
    /// </summary>
    public Artifacts.ArtifactLoadOptions? Verification { get; init; }
    /// <summary>Further measurements whose report sections join the report (e.g. the privacy audit), in order. Defaults to none.</summary>
    public IReadOnlyList<IEvaluationAddOn> AddOns { get; init; } = [];
    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;
}
