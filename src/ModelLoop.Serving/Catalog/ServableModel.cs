using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// One loaded model version, ready to serve: the network, its name and version, the input schema clients
/// must follow, an optional preprocessing step applied server-side to each raw item (so clients send raw
/// features), what its outputs mean (<see cref="Package"/>), and how its requests are batched. The server
/// disposes it (and the model) once it has drained the requests already queued for it.
/// <see cref="FromArtifact"/> builds one from a model package; every catalog reading packages goes through it.
/// </summary>
public sealed class ServableModel : IDisposable
{
    private readonly PackageInfo _package;

    public ServableModel(string name, string version, Model model, InputSchema schema,
        Func<float[], float[]>? preprocess = null, BatchingOptions? batching = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        Name = name;
        Version = version;
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        Preprocess = preprocess;
        Batching = (batching ?? new BatchingOptions()).Validate();
        if (!schema.Shape.SequenceEqual(model.InputShape.Dims))
            throw new ArgumentException($"The input schema's shape ({string.Join(", ", schema.Shape)}) differs from the model's input shape {model.InputShape}; give the schema the model's shape.");
        _package = PackageInfo.From(new ArtifactMetadata { Output = new TensorSchema(model.OutputShape.ToArray(), "F32") });
    }

    public string Name { get; }
    public string Version { get; }
    public Model Model { get; }
    public InputSchema Schema { get; }

    /// <summary>Maps one raw item (flattened, <see cref="InputSchema.Elements"/> values) to the model's input; null for none.</summary>
    public Func<float[], float[]>? Preprocess { get; }

    /// <summary>
    /// Maps one raw JSON record (an object of column → string, number, boolean or null for missing) to the
    /// model's input (<see cref="InputSchema.Elements"/> values), e.g. a fitted data-stage pipeline; it throws
    /// <see cref="FormatException"/> naming the column when a value is absent, unknown or unparsable. When set,
    /// the server reads requests only as records (<see cref="InputSchema.RawRecords"/>) and skips
    /// <see cref="Preprocess"/> for them. Defaults to null: records are numbers in <see cref="InputSchema.FeatureNames"/> order.
    /// </summary>
    public Func<JsonElement, float[]>? RecordEncoder { get; init; }

    /// <summary>
    /// What the outputs mean (task, class or output names, single-logit binary), as <see cref="PackageInfo.From"/>
    /// read it from the package. Defaults to what the output shape alone says: one value is a regression, a flat
    /// output of several values a classifier with numbered classes.
    /// </summary>
    public PackageInfo Package
    {
        get => _package;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.OutputWidth != Model.OutputShape.Elements)
                throw new ArgumentException($"The package describes {value.OutputWidth} output values per item but the model outputs {Model.OutputShape.Elements}; describe the model's own output.");
            _package = value;
        }
    }

    /// <summary>Classification or regression (<see cref="Package"/>'s task).</summary>
    public ModelTask Task => Package.Task;

    /// <summary>A classifier's class names in index order; null when it names none (labels are then the indices).</summary>
    public IReadOnlyList<string>? ClassNames => Package.ClassNames;

    /// <summary>A regression model's output names; null when it names none ("output0"…).</summary>
    public IReadOnlyList<string>? OutputNames => Package.OutputNames;

    public BatchingOptions Batching { get; }

    /// <summary>Extracts what the prediction log keeps of each item for drift detection; null when the package has no reference profile.</summary>
    internal ItemMonitor? Monitor { get; init; }

    /// <summary>What the prediction log records of this version's outputs (task, class and output names).</summary>
    internal Monitoring.Logging.LoggedModelInfo LogInfo => _logInfo ??= Monitoring.Logging.LoggedModelInfo.From(Package);

    private Monitoring.Logging.LoggedModelInfo? _logInfo;

    /// <summary>One output item's shape (the model's output shape).</summary>
    public IReadOnlyList<long> OutputShape => Model.OutputShape.Dims;

    /// <summary>True once disposed (tests check that a replaced version is released).</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Serves a loaded model package, taking ownership of its model: <see cref="PackageInfo.From"/> reads the task,
    /// class names and fitted pipeline; a tabular pipeline becomes the <see cref="RecordEncoder"/> (clients send raw
    /// rows, the server applies the same code and fitted values as training), an image pipeline the per-channel
    /// normalization of <see cref="Preprocess"/>. Without a pipeline, the input schema's names (if any) are the
    /// feature names of numeric records.
    /// </summary>
    /// <exception cref="InvalidDataException">The pipeline cannot be read or does not fit the model; the message names the package.</exception>
    public static ServableModel FromArtifact(string name, string version, LoadedArtifact artifact, BatchingOptions? batching = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var where = $"Model '{name}' version {version} ({artifact.Path})";
        ModelPackage loaded;
        try
        {
            loaded = ModelPackage.From(artifact);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{where} has a preprocessing pipeline that cannot be read: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
        var package = loaded.Info;
        var monitor = ItemMonitor.For(loaded);
        var model = artifact.Model;
        model.Network.eval();
        var input = artifact.Metadata.Input;
        var shape = input?.Shape ?? model.InputShape.ToArray();
        if (package.Pipeline is not { } pipeline)
            return new ServableModel(name, version, model, new InputSchema(shape, model.InputKind, input?.Names), batching: batching) { Package = package, Monitor = monitor };
        if (pipeline.Image is { } image)
        {
            if (shape.Length != 3 || shape[0] != image.Mean.Count)
                throw new InvalidDataException($"{where}: its image normalization has {image.Mean.Count} channels but the model's input is ({string.Join(", ", shape)}); expected (channels, height, width) with the same channel count. Save the artifact with the pipeline fitted on its training images.");
            return new ServableModel(name, version, model, new InputSchema(shape, model.InputKind, null), Normalizer(image, shape), batching) { Package = package, Monitor = monitor };
        }
        if (pipeline.FeatureCount != model.InputShape.Elements)
            throw new InvalidDataException($"{where}: its preprocessing pipeline produces {pipeline.FeatureCount} features but the model takes {model.InputShape.Elements} values per item. Save the artifact with the pipeline the model was trained on.");
        var columns = pipeline.Columns.Select(c => c.Name).ToArray();
        return new ServableModel(name, version, model, new InputSchema(shape, model.InputKind, columns) { RawRecords = true }, batching: batching)
        {
            Package = package,
            Monitor = monitor,
            // The package's own record encoder: the data stage's transform with the values fitted in training (FormatException names the column).
            RecordEncoder = loaded.EncodeRecord,
        };
    }

    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Model.Dispose();
    }

    // Image requests arrive in [0, 1] (decoded files and raw pixels are divided by 255 by the API), which is the
    // scale ImageNormalization's mean and std are expressed in: only (x − mean[c]) / std[c] is left, per channel.
    private static Func<float[], float[]> Normalizer(ImageNormalization image, long[] shape)
    {
        var plane = (int)(shape[1] * shape[2]);
        var mean = image.Mean.Select(m => (float)m).ToArray();
        var std = image.Std.Select(s => (float)s).ToArray();
        return raw =>
        {
            var result = new float[raw.Length];
            for (var i = 0; i < raw.Length; i++)
            {
                var c = i / plane;
                result[i] = (raw[i] - mean[c]) / std[c];
            }
            return result;
        };
    }
}
