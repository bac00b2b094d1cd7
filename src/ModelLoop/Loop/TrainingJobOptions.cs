using ModelLoop.Artifacts;
using ModelLoop.Native;
using ModelLoop.Training;

namespace ModelLoop.Loop;

/// <summary>Where and how a <see cref="TrainingJob"/> runs and records a config: none of this changes what is learned.</summary>
public sealed record TrainingJobOptions
{
    /// <summary>The run folder. Defaults to runs/train.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "train");
    /// <summary>Run store and registry folder. Defaults to null: <see cref="Storage.ModelLoopHome.Resolve"/>.</summary>
    public string? Home { get; init; }
    /// <summary>Record the run in the run store. Defaults to true.</summary>
    public bool Track { get; init; } = true;
    /// <summary>The tracked run's name. Defaults to null: the zoo name, else "spec".</summary>
    public string? RunName { get; init; }
    /// <summary>Extra parameters recorded with the run (e.g. the command that started it). Defaults to none.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Register the package under this registry name (a new version). Defaults to null (not registered).</summary>
    public string? RegisterAs { get; init; }
    /// <summary>With <see cref="RegisterAs"/>: aliases to point at the new version. Defaults to none.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Description of the package and of the registered version. Defaults to null.</summary>
    public string? Description { get; init; }
    /// <summary>Registry tags of the new version. Defaults to none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// Encrypts the package (AES-256-GCM). Nothing else in the run folder then holds the model: no plain weights, no
    /// pipeline, no dataset manifest with the fitted statistics, and the checkpoint (plain weights) is deleted once the
    /// run has finished. Defaults to null (not encrypted).
    /// </summary>
    public ArtifactEncryptionKey? EncryptionKey { get; init; }
    /// <summary>Signs the package's manifest (ECDSA P-256), see <see cref="ArtifactSaveOptions.SigningKey"/>. Defaults to null (not signed).</summary>
    public ArtifactSigningKey? SigningKey { get; init; }
    /// <summary>Checkpoint file, rewritten every epoch; a killed run started again with it resumes. Defaults to null.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Defaults to <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;
    /// <summary>Defaults to <see cref="ProgressMode.Auto"/>.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;
    /// <summary>Callbacks added to the run's own (history, tracking, early stopping). Defaults to none.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];
    /// <summary>Receives one-line notes (model summary, data sizes). Defaults to null (silent).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>
    /// A labelled source (a .csv/.tsv with the model's input columns and label, or an image folder with one sub-folder
    /// per class) describing the traffic the model is expected to serve, read through the run's own pipeline: its
    /// features, embeddings and predictions become the package's reference profile instead of the training and
    /// validation data. A model retrained on recent feedback gets the recent held-out feedback here, so monitoring
    /// judges the traffic it was adapted to, not the distribution it left. Defaults to null: training and validation data.
    /// </summary>
    public string? ReferenceSource { get; init; }
    /// <summary>
    /// Step plugins added to the fit, outermost first (pruning masks, a distillation loss); see <see cref="StepPlugin"/>.
    /// Defaults to none.
    /// </summary>
    public IReadOnlyList<StepPlugin> Plugins { get; init; } = [];
    /// <summary>
    /// A network to train instead of one built from the config's model section, e.g. a pruned or channel-sliced copy of
    /// a trained model. Its spec must be the one the config's model builds (the package records the config, so it can be
    /// trained again). The job trains it in place and leaves disposing it to the caller. Defaults to null (built from the config).
    /// </summary>
    public Modeling.Model? InitialModel { get; init; }
    /// <summary>
    /// The model this one derives from, recorded as <see cref="ArtifactLineage.ParentModel"/> when the config names none
    /// (no initFrom or transferFrom): the package a pruned model was cut from, the teacher of a distilled student.
    /// Defaults to null.
    /// </summary>
    public string? ParentModel { get; init; }
    /// <summary>
    /// Called once after the test evaluation with the trained model; what it returns joins the package's metrics (e.g.
    /// "sparsity"). Defaults to null (test metrics only).
    /// </summary>
    public Func<Modeling.Model, IReadOnlyDictionary<string, double>>? PackageMetrics { get; init; }
}
