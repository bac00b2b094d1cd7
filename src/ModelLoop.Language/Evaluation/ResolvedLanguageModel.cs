using ModelLoop.Language.Packaging;
using ModelLoop.Loop;
using ModelLoop.Registry;

namespace ModelLoop.Language.Evaluation;

/// <summary>A language model as <see cref="LanguageModelResolver"/> found it: the package, where it came from, and its run's training history.</summary>
public sealed class ResolvedLanguageModel(LanguageModelPackage package, string description, IReadOnlyList<IReadOnlyDictionary<string, double>> history, string defaultReportFolder) : IDisposable
{
    /// <summary>The model and its tokenizer.</summary>
    public LanguageModelPackage Package { get; } = package;
    /// <summary>Where it came from, for reports ("fortunes v2 (…)", a folder).</summary>
    public string Description { get; } = description;
    /// <summary>Per-interval logs of the run that trained it (loss, val_loss, perplexity…), or empty when unknown.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> History { get; } = history;
    /// <summary>Where its evaluation report goes unless told: MODEL/eval for a folder, eval/NAME-vN for a registry version.</summary>
    public string DefaultReportFolder { get; } = defaultReportFolder;
    /// <summary>The registry version, when it came from the registry.</summary>
    public ModelVersion? RegistryVersion { get; init; }
    /// <summary>The training config recorded in the package (its corpus, split and language section), or null.</summary>
    public TrainingConfig? Config => Package.Artifact.Metadata.Config is { } json ? TrainingConfig.FromJsonNode(json, $"the config in '{Package.Artifact.Path}'") : null;

    public void Dispose() => Package.Dispose();
}
