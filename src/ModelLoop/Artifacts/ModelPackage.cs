using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Contracts;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Artifacts;

/// <summary>
/// A trained model as everything downstream reads it: the network (spec + weights), the fitted preprocessing pipeline,
/// the input and output schema (raw input columns, class names), the task, the lineage and the training config — with
/// one <see cref="Encode(IReadOnlyList{IReadOnlyDictionary{string, string}})"/> (raw records → model input) and one
/// <see cref="Decode"/> (outputs → labels and probabilities, or named values). Run folders and the registry hold it
/// (its files are a verified <see cref="ModelArtifact"/>); serving, evaluation and comparison load only it. Dispose to
/// free the weights.
/// </summary>
public sealed class ModelPackage : IDisposable
{
    private ModelPackage(LoadedArtifact artifact)
    {
        Artifact = artifact;
        Info = PackageInfo.From(artifact.Metadata);
        ClassNames = Task == ModelTask.Classification ? Enumerable.Range(0, Info.ClassCount).Select(Info.Label).ToArray() : null;
        OutputNames = Task == ModelTask.Regression ? Enumerable.Range(0, Info.OutputWidth).Select(Info.OutputName).ToArray() : null;
    }

    /// <summary>Reads and verifies a package (folder or .zip); see <see cref="ModelArtifact.Load"/>.</summary>
    /// <exception cref="InvalidDataException">A checksum, schema or weight mismatch, or a wrong or missing key.</exception>
    public static ModelPackage Load(string path, ArtifactLoadOptions? options = null) => new(ModelArtifact.Load(path, options));

    /// <summary>Wraps an artifact already loaded (the package takes ownership of its model).</summary>
    public static ModelPackage From(LoadedArtifact artifact) => new(artifact ?? throw new ArgumentNullException(nameof(artifact)));

    public LoadedArtifact Artifact { get; }
    public Model Model => Artifact.Model;
    public ModelSpec Spec => Artifact.Spec;
    public ArtifactMetadata Metadata => Artifact.Metadata;
    /// <summary>The folder or .zip it was read from.</summary>
    public string Path => Artifact.Path;
    public string ManifestSha256 => Artifact.ManifestSha256;
    /// <summary>How to read the outputs: task, class or output names, single-logit binary; decided once, by <see cref="PackageInfo.From"/>.</summary>
    public PackageInfo Info { get; }
    /// <summary>The fitted preprocessing, or null for a model that takes tensors as they are.</summary>
    public PreprocessingPipeline? Pipeline => Info.Pipeline;
    public ModelTask Task => Info.Task;
    /// <summary>Class names in class-index order (classification), else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }
    /// <summary>Names of the output values (regression), else null.</summary>
    public IReadOnlyList<string>? OutputNames { get; }
    /// <summary>True when the package turns raw table rows into model inputs (its pipeline is a table pipeline).</summary>
    public bool ReadsRecords => Pipeline is { Image: null, Columns.Count: > 0 };
    /// <summary>The raw columns a record must have (tables), else null.</summary>
    public IReadOnlyList<string>? InputColumns => ReadsRecords ? Pipeline!.Columns.Select(c => c.Name).ToArray() : null;
    public ArtifactLineage Lineage => Metadata.Lineage;
    /// <summary>The training config that made the model (JSON), or null when it was saved without one.</summary>
    public JsonNode? Config => Metadata.Config;

    /// <summary>Model inputs (N, F) for raw records: column → cell text (null = missing).</summary>
    /// <exception cref="InvalidOperationException">The package has no table pipeline.</exception>
    /// <exception cref="FormatException">A record lacks a column, has an unknown one, or a cell cannot be read; the message names it.</exception>
    public Tensor Encode(IReadOnlyList<IReadOnlyDictionary<string, string?>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var pipeline = RequireRecords();
        using var scope = NewDisposeScope();
        var rows = records.Select((record, i) =>
        {
            try
            {
                return pipeline.Transform(record);
            }
            catch (FormatException e)
            {
                throw new FormatException($"Record {i}: {e.Message}", e);
            }
        }).ToList();
        return (rows.Count == 0 ? zeros(0, pipeline.FeatureCount) : cat(rows, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>One raw JSON record (column → string, number, boolean or null) as the model's flattened input.</summary>
    /// <exception cref="FormatException">As <see cref="Encode(IReadOnlyList{IReadOnlyDictionary{string, string}})"/>.</exception>
    public float[] EncodeRecord(JsonElement record)
    {
        using var encoded = RequireRecords().Transform(record);
        return encoded.data<float>().ToArray();
    }

    /// <summary>Model inputs for raw table rows (the pipeline's features), e.g. a test split read from a CSV.</summary>
    public TensorDataset EncodeTable(Data.Readers.RawTable table) => RequireRecords().ToDataset(table);

    /// <summary>Runs the network on inputs in evaluation mode and decodes each row.</summary>
    public IReadOnlyList<ItemPrediction> Predict(Tensor inputs)
    {
        using var outputs = Model.Predict(inputs);
        return Decode(outputs);
    }

    /// <summary>
    /// Outputs (N, width) → one prediction per row. Classification: softmax over the classes (sigmoid for one logit:
    /// the probability of class 1), the most probable class and its label. Regression: the values by output name.
    /// </summary>
    public IReadOnlyList<ItemPrediction> Decode(Tensor outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        using var scope = NewDisposeScope();
        var flat = outputs.reshape(outputs.shape[0], -1).to(ScalarType.Float32).cpu();
        var width = (int)flat.shape[1];
        var values = flat.data<float>().ToArray();
        var result = new ItemPrediction[flat.shape[0]];
        for (var i = 0; i < result.Length; i++)
            result[i] = Info.Decode(values.AsSpan(i * width, width));
        return result;
    }

    public void Dispose() => Artifact.Dispose();

    private PreprocessingPipeline RequireRecords() => ReadsRecords ? Pipeline!
        : throw new InvalidOperationException($"The model package '{Path}' has no table pipeline, so it takes tensors of shape {Model.InputShape}, not records. Call Model.Predict with tensors.");
}
