using ModelLoop.Tracking;
namespace ModelLoop.Artifacts;

/// <summary>
/// Where a model came from: the content hash of the dataset manifest it was trained on and the tracked run
/// that trained it (see <see cref="RunStore"/>). Either may be null for a model built elsewhere.
/// </summary>
public sealed record ArtifactLineage(string? DatasetManifestHash = null, string? RunId = null)
{
    /// <summary>The registry name/version this model was fine-tuned or retrained from, if any.</summary>
    public string? ParentModel { get; init; }

    /// <summary>How the training data was split (seed, fractions, label), so the held-out test rows can be rebuilt. Defaults to null (unknown).</summary>
    public TrainingDataSplit? Split { get; init; }
}
