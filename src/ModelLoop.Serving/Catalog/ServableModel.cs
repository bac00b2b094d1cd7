using ModelLoop.Modeling;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// One loaded model version, ready to serve: the network, its name and version, the input schema clients
/// must follow, an optional preprocessing step applied server-side to each raw item (so clients send raw
/// features), and how its requests are batched. The server disposes it (and the model) once it has
/// drained the requests already queued for it.
/// </summary>
public sealed class ServableModel : IDisposable
{
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
    public Func<System.Text.Json.JsonElement, float[]>? RecordEncoder { get; init; }

    public BatchingOptions Batching { get; }

    /// <summary>One output item's shape (the model's output shape).</summary>
    public IReadOnlyList<long> OutputShape => Model.OutputShape.Dims;

    /// <summary>True once disposed (tests check that a replaced version is released).</summary>
    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Model.Dispose();
    }
}
