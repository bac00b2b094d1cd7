using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Serving.Batching;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// One loaded model version, ready to serve: the network (run by TorchSharp or ONNX Runtime), its name and version, the input schema clients
/// must follow, an optional preprocessing step applied server-side to each raw item (so clients send raw
/// features), what its outputs mean (<see cref="Package"/>), and how its requests are batched. The server
/// disposes it (and the model) once it has drained the requests already queued for it.
/// <see cref="Load"/> builds one from a package path (<see cref="FromArtifact"/> from a loaded one); every catalog
/// reading packages goes through them.
/// </summary>
public sealed partial class ServableModel : IDisposable
{
    private readonly PackageInfo _package;

    public ServableModel(string name, string version, Model model, InputSchema schema,
        Func<float[], float[]>? preprocess = null, BatchingOptions? batching = null)
        : this(name, version, new TorchSharpBackend(model ?? throw new ArgumentNullException(nameof(model))), schema, preprocess, batching)
    {
    }

    /// <summary>A version served through <paramref name="backend"/> (which it owns and disposes).</summary>
    internal ServableModel(string name, string version, InferenceBackend backend, InputSchema schema,
        Func<float[], float[]>? preprocess = null, BatchingOptions? batching = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        Name = name;
        Version = version;
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));
        ArgumentNullException.ThrowIfNull(schema);
        // Token ids are checked against the vocabulary per item before batching (an out-of-range id would throw
        // inside the batched forward pass and fail every request of the batch).
        Schema = schema is { Kind: InputKind.TokenIds, VocabularySize: null } ? schema with { VocabularySize = backend.VocabularySize } : schema;
        Preprocess = preprocess;
        Batching = (batching ?? new BatchingOptions()).Validate();
        if (!schema.Shape.SequenceEqual(backend.InputShape.Dims))
            throw new ArgumentException($"The input schema's shape ({string.Join(", ", schema.Shape)}) differs from the model's input shape {backend.InputShape}; give the schema the model's shape.");
        _package = PackageInfo.From(new ArtifactMetadata { Output = new TensorSchema(backend.OutputShape.ToArray(), "F32") });
    }

    public string Name { get; }
    public string Version { get; }

    /// <summary>The TorchSharp model of a version served by TorchSharp.</summary>
    /// <exception cref="NotSupportedException">The version runs through ONNX Runtime (an ONNX package, or a server started with the ONNX backend).</exception>
    public Model Model => Backend is TorchSharpBackend torch ? torch.Model
        : throw new NotSupportedException($"Model '{Name}' version {Version} runs through ONNX Runtime; it has no TorchSharp model. Load its package with ModelPackage.Load for one.");

    /// <summary>What runs the forward passes: TorchSharp or ONNX Runtime.</summary>
    internal InferenceBackend Backend { get; }

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
            if (value.OutputWidth != Backend.OutputShape.Elements)
                throw new ArgumentException($"The package describes {value.OutputWidth} output values per item but the model outputs {Backend.OutputShape.Elements}; describe the model's own output.");
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
    public IReadOnlyList<long> OutputShape => Backend.OutputShape.Dims;

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
        var loaded = ReadPackage(where, () => ModelPackage.From(artifact));
        return Create(name, version, new TorchSharpBackend(artifact.Model), loaded.Info, artifact.Metadata, ItemMonitor.For(loaded), where, batching);
    }

    // Reads what the package's metadata says (its pipeline above all); errors name the version.
    private static T ReadPackage<T>(string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{where} has a preprocessing pipeline that cannot be read: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }

    // The schema clients follow and the server-side preprocessing, from the package's pipeline (shared by both backends).
    private static ServableModel Create(string name, string version, InferenceBackend backend, PackageInfo package, ArtifactMetadata metadata,
        ItemMonitor? monitor, string where, BatchingOptions? batching)
    {
        var input = metadata.Input;
        var shape = input?.Shape ?? backend.InputShape.ToArray();
        if (package.Pipeline is not { } pipeline)
            return new ServableModel(name, version, backend, new InputSchema(shape, backend.InputKind, input?.Names), batching: batching) { Package = package, Monitor = monitor };
        if (pipeline.Image is { } image)
        {
            if (shape.Length != 3 || shape[0] != image.Mean.Count)
                throw new InvalidDataException($"{where}: its image normalization has {image.Mean.Count} channels but the model's input is ({string.Join(", ", shape)}); expected (channels, height, width) with the same channel count. Save the artifact with the pipeline fitted on its training images.");
            return new ServableModel(name, version, backend, new InputSchema(shape, backend.InputKind, null), Normalizer(image, shape), batching) { Package = package, Monitor = monitor };
        }
        if (pipeline.FeatureCount != backend.InputShape.Elements)
            throw new InvalidDataException($"{where}: its preprocessing pipeline produces {pipeline.FeatureCount} features but the model takes {backend.InputShape.Elements} values per item. Save the artifact with the pipeline the model was trained on.");
        var columns = pipeline.Columns.Select(c => c.Name).ToArray();
        return new ServableModel(name, version, backend, new InputSchema(shape, backend.InputKind, columns) { RawRecords = true }, batching: batching)
        {
            Package = package,
            Monitor = monitor,
            // The data stage's transform with the values fitted in training (FormatException names the column), as ModelPackage.EncodeRecord.
            RecordEncoder = record =>
            {
                using var encoded = pipeline.Transform(record);
                return encoded.data<float>().ToArray();
            },
        };
    }

    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Backend.Dispose();
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
