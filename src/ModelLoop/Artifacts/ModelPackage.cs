using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var metadata = artifact.Metadata;
        Pipeline = metadata.Preprocessing is { } json ? PreprocessingPipeline.FromJson(json.ToJsonString()) : null;
        Task = TaskOf(metadata);
        var width = (int)artifact.Model.OutputShape.Elements;
        ClassNames = Task != ModelTask.Classification ? null
            : metadata.Output?.Names is { Count: > 1 } names ? names
            : Pipeline?.Label is { Kind: LabelKind.ClassIndex, Classes.Count: > 1 } label ? label.Classes
            : Enumerable.Range(0, Math.Max(2, width)).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        OutputNames = Task == ModelTask.Regression
            ? metadata.Output?.Names is { } outputs && outputs.Count == width ? outputs
                : width == 1 && Pipeline?.Label is { } valueLabel ? [valueLabel.Name]
                : Enumerable.Range(0, width).Select(i => "output" + i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : null;
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
    /// <summary>The fitted preprocessing, or null for a model that takes tensors as they are.</summary>
    public PreprocessingPipeline? Pipeline { get; }
    public ModelTask Task { get; }
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

    /// <summary>
    /// The one place that decides a saved model's task: the recorded task; else the pipeline's label kind; else a
    /// recorded regression metric (test_mae, test_mse, test_r2); else classification.
    /// </summary>
    public static ModelTask TaskOf(ArtifactMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Task is { } task)
            return task;
        if (metadata.Preprocessing?["label"]?["kind"]?.GetValue<string>() is { } kind)
            return kind == nameof(LabelKind.Value) ? ModelTask.Regression : ModelTask.Classification;
        return metadata.Metrics.Keys.Any(k => k is "test_mae" or "test_mse" or "test_r2") ? ModelTask.Regression : ModelTask.Classification;
    }

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
        var result = new ItemPrediction[flat.shape[0]];
        if (Task == ModelTask.Regression)
        {
            var values = flat.data<float>().ToArray();
            for (var i = 0; i < result.Length; i++)
                result[i] = new ItemPrediction
                {
                    Values = OutputNames!.Select((name, j) => (name, j)).ToDictionary(p => p.name, p => (double)values[i * width + p.j]),
                };
            return result;
        }
        var probabilities = (width == 1 ? cat([1 - flat.sigmoid(), flat.sigmoid()], 1) : flat.softmax(1)).data<float>().ToArray();
        var classes = Math.Max(2, width);
        var names = ClassNames!;
        for (var i = 0; i < result.Length; i++)
        {
            var row = probabilities.AsSpan(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
                if (row[c] > row[best])
                    best = c;
            var byLabel = new Dictionary<string, double>(classes);
            for (var c = 0; c < classes; c++)
                byLabel[Label(names, c)] = row[c];
            result[i] = new ItemPrediction { Class = best, Label = Label(names, best), Probabilities = byLabel };
        }
        return result;
    }

    public void Dispose() => Artifact.Dispose();

    private static string Label(IReadOnlyList<string> names, int index) => index < names.Count ? names[index] : index.ToString(CultureInfo.InvariantCulture);

    private PreprocessingPipeline RequireRecords() => ReadsRecords ? Pipeline!
        : throw new InvalidOperationException($"The model package '{Path}' has no table pipeline, so it takes tensors of shape {Model.InputShape}, not records. Call Model.Predict with tensors.");
}
