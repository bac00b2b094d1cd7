using System.Text.Json.Nodes;

namespace ModelLoop.Artifacts;

/// <summary>
/// Everything in an artifact's <c>model.json</c> besides the model spec: schemas, the fitted preprocessing
/// (opaque here: the data stage owns its format), metrics, lineage and the versions that wrote it.
/// Every member has a default, so <c>new ArtifactMetadata()</c> is valid; <see cref="ModelArtifact.Save"/>
/// fills the schemas from the model and the library versions from the running process when left null.
/// </summary>
public sealed record ArtifactMetadata
{
    /// <summary>Per-sample input. Defaults to null: taken from the model's input shape and kind.</summary>
    public TensorSchema? Input { get; init; }
    /// <summary>Per-sample output. Defaults to null: taken from the model's output shape (F32).</summary>
    public TensorSchema? Output { get; init; }
    /// <summary>The fitted preprocessing pipeline as JSON, stored and returned as is. Defaults to null (none).</summary>
    public JsonNode? Preprocessing { get; init; }
    /// <summary>Classification or regression. Defaults to null: <see cref="ModelPackage"/> infers it for packages saved without it.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ModelTask>))]
    public ModelTask? Task { get; init; }
    /// <summary>The training config that made the model (the JSON of <c>ModelLoop.Loop.TrainingConfig</c>), kept as is. Defaults to null.</summary>
    public JsonNode? Config { get; init; }
    /// <summary>Reference statistics for drift monitoring, computed at training time. Defaults to null (none).</summary>
    public ReferenceProfile? Reference { get; init; }
    /// <summary>Evaluation results, e.g. "test_accuracy". Defaults to empty.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Defaults to no lineage.</summary>
    public ArtifactLineage Lineage { get; init; } = new();
    /// <summary>Free text. Defaults to null.</summary>
    public string? Description { get; init; }
    /// <summary>
    /// What runs the model: <see cref="ModelRuntime.TorchSharp"/> (the weights) or <see cref="ModelRuntime.Onnx"/> (the
    /// package's <c>model.onnx</c>, e.g. an int8 package, which may have no weights). Defaults to TorchSharp, which is
    /// also what a package saved without the field reads as.
    /// </summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ModelRuntime>))]
    public ModelRuntime Runtime { get; init; } = ModelRuntime.TorchSharp;
    /// <summary>"ModelLoop", "TorchSharp", ".NET", "OS" → version. Defaults to null: filled in at save.</summary>
    public IReadOnlyDictionary<string, string>? LibraryVersions { get; init; }
    /// <summary>When the artifact was written. Defaults to null: set at save.</summary>
    public DateTimeOffset? CreatedUtc { get; init; }

    /// <summary>The versions of this process: ModelLoop, TorchSharp, .NET and the OS.</summary>
    public static IReadOnlyDictionary<string, string> CurrentLibraryVersions() => new Dictionary<string, string>
    {
        ["ModelLoop"] = typeof(ArtifactMetadata).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["TorchSharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        [".NET"] = Environment.Version.ToString(),
        ["OS"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
    };
}
