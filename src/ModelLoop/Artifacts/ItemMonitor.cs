using System.Globalization;
using System.Text.Json;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;

namespace ModelLoop.Artifacts;

/// <summary>
/// Turns one item — its raw record (tables), its model input and its outputs — into the <see cref="MonitoredItem"/> that
/// drift detection compares with the package's <see cref="ReferenceProfile"/>. The reference is computed with the same
/// code (<see cref="ReferenceProfileBuilder"/>), so live and reference features mean the same thing:
/// <list type="bullet">
/// <item>tables: each numeric (non-date) column's value and each categorical column's category, read from the raw record;</item>
/// <item>images: the mean ("brightness") and standard deviation ("contrast") of the model input, plus the embedding;</item>
/// <item>flat tensors of at most <see cref="MaxTensorFeatures"/> values: each value ("x0", "x1", …), plus the embedding;</item>
/// <item>token ids: the embedding only.</item>
/// </list>
/// Text and date columns are not monitored feature by feature.
/// </summary>
public sealed class ItemMonitor
{
    /// <summary>Flat tensor inputs up to this many values are monitored value by value.</summary>
    public const int MaxTensorFeatures = 64;

    private readonly PackageInfo _info;
    private readonly PreprocessingPipeline? _table;
    private readonly FeatureSource _source;

    private enum FeatureSource { Table, Image, Tensor, None }

    internal ItemMonitor(PackageInfo info, Shape inputShape, InputKind inputKind, ReferenceProfile? reference)
    {
        _info = info;
        Reference = reference;
        if (info.Pipeline is { Image: null, Columns.Count: > 0 } table)
        {
            _table = table;
            _source = FeatureSource.Table;
            Features = table.Columns
                .Select(c => c switch
                {
                    NumericColumn { IsDate: false } => new FeatureDefinition(c.Name, FeatureKind.Numeric),
                    CategoricalColumn => new FeatureDefinition(c.Name, FeatureKind.Categorical),
                    _ => null,
                })
                .OfType<FeatureDefinition>()
                .ToArray();
        }
        else if (inputKind == InputKind.TokenIds)
        {
            _source = FeatureSource.None;
            Features = [];
        }
        else if (inputShape.Rank >= 2)
        {
            _source = FeatureSource.Image;
            Features = [new("brightness", FeatureKind.Numeric), new("contrast", FeatureKind.Numeric)];
        }
        else if (inputShape.Rank == 1 && inputShape[0] <= MaxTensorFeatures)
        {
            _source = FeatureSource.Tensor;
            Features = Enumerable.Range(0, (int)inputShape[0]).Select(i => new FeatureDefinition("x" + i.ToString(CultureInfo.InvariantCulture), FeatureKind.Numeric)).ToArray();
        }
        else
        {
            _source = FeatureSource.None;
            Features = [];
        }
        UsesEmbeddings = _source != FeatureSource.Table;
    }

    /// <summary>
    /// The monitor for a package's metadata, or null when the package carries no reference profile (saved before
    /// monitoring existed, or without <see cref="TrainingJob"/>-style training).
    /// </summary>
    public static ItemMonitor? For(ArtifactMetadata metadata, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(spec);
        return metadata.Reference is { } reference
            ? new ItemMonitor(PackageInfo.From(metadata), new Shape(spec.InputShape), spec.InputKind, reference)
            : null;
    }

    /// <summary>The monitor of a loaded package, or null when it carries no reference profile.</summary>
    public static ItemMonitor? For(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return package.Metadata.Reference is { } reference
            ? new ItemMonitor(package.Info, package.Model.InputShape, package.Model.InputKind, reference)
            : null;
    }

    /// <summary>The package's reference (null only while <see cref="ReferenceProfileBuilder"/> builds it).</summary>
    public ReferenceProfile? Reference { get; }

    /// <summary>The monitored features, in the reference's order.</summary>
    public IReadOnlyList<FeatureDefinition> Features { get; }

    /// <summary>True when items should carry their penultimate-layer embedding (<see cref="Model.ForwardWithEmbedding"/>).</summary>
    public bool NeedsEmbedding => UsesEmbeddings && Reference?.Embeddings is not null;

    internal bool UsesEmbeddings { get; }

    /// <summary>
    /// One item: <paramref name="record"/> is its raw JSON record (table models; ignored otherwise), <paramref name="input"/>
    /// the model input as the network received it (after preprocessing, flattened), <paramref name="embedding"/> its
    /// penultimate-layer embedding or null, <paramref name="outputs"/> its raw outputs.
    /// </summary>
    /// <exception cref="FormatException">A table model's record is not a JSON object of scalars.</exception>
    public MonitoredItem Extract(JsonElement? record, ReadOnlySpan<float> input, float[]? embedding, ReadOnlySpan<float> outputs)
    {
        var item = _source switch
        {
            FeatureSource.Table when record is { } json => FromCells(PreprocessingPipeline.Cells(json)),
            FeatureSource.Table => new MonitoredItem(),
            _ => FromInput(input),
        };
        return WithOutputs(item with { Embedding = NeedsEmbedding ? embedding : null }, outputs);
    }

    /// <summary>The item's features from its raw cells (column → text, null = missing).</summary>
    internal MonitoredItem FromCells(IReadOnlyDictionary<string, string?> cells)
    {
        var numeric = new Dictionary<string, double?>(StringComparer.Ordinal);
        var categorical = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var feature in Features)
        {
            var cell = cells.TryGetValue(feature.Name, out var text) && !_table!.IsMissing(text) ? text : null;
            if (feature.Kind == FeatureKind.Categorical)
                categorical[feature.Name] = cell;
            else
                numeric[feature.Name] = cell is not null && Data.Readers.SchemaInference.TryParseNumber(cell.Trim(), out var value) ? value : null;
        }
        return new MonitoredItem { Numeric = numeric, Categorical = categorical };
    }

    /// <summary>The item's features from its model input (images: brightness and contrast; flat tensors: each value).</summary>
    internal MonitoredItem FromInput(ReadOnlySpan<float> input)
    {
        var numeric = new Dictionary<string, double?>(StringComparer.Ordinal);
        if (_source == FeatureSource.Image && input.Length > 0)
        {
            double sum = 0, squares = 0;
            foreach (var v in input)
                sum += v;
            var mean = sum / input.Length;
            foreach (var v in input)
                squares += (v - mean) * (v - mean);
            numeric["brightness"] = mean;
            numeric["contrast"] = Math.Sqrt(squares / input.Length);
        }
        else if (_source == FeatureSource.Tensor)
        {
            for (var i = 0; i < Features.Count && i < input.Length; i++)
                numeric[Features[i].Name] = input[i];
        }
        return new MonitoredItem { Numeric = numeric };
    }

    internal MonitoredItem WithOutputs(MonitoredItem item, ReadOnlySpan<float> outputs)
    {
        if (outputs.Length != _info.OutputWidth)
            return item;
        if (_info.Task == ModelTask.Classification)
        {
            var (predicted, probabilities) = _info.Classify(outputs);
            return item with { PredictedClass = predicted, Confidence = probabilities[predicted] };
        }
        return item with { PredictedValue = outputs[0] };
    }
}
