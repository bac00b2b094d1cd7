using System.Text.Json.Serialization;
using ModelLoop.Modeling;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// What one input item must look like: its shape without the batch dimension (PyTorch order), whether
/// values are reals or token ids, and for flat tabular inputs the feature names a JSON record may use.
/// </summary>
public sealed record InputSchema(long[] Shape, [property: JsonConverter(typeof(JsonStringEnumConverter<InputKind>))] InputKind Kind, IReadOnlyList<string>? FeatureNames)
{
    /// <summary>
    /// True when the model preprocesses raw rows server-side (a fitted data-stage pipeline): requests are
    /// "records" whose keys are <see cref="FeatureNames"/> (the raw columns) and whose values are strings,
    /// numbers, booleans or null for missing. <see cref="Shape"/> is then the model's input after preprocessing.
    /// Defaults to false.
    /// </summary>
    public bool RawRecords { get; init; }

    /// <summary>
    /// For token-id inputs, the vocabulary size: every id must lie in [0, VocabularySize), and the server refuses an item
    /// with another id before it joins a batch. Defaults to null: taken from the model (the Embedding its input goes into).
    /// </summary>
    public int? VocabularySize { get; init; }

    /// <summary>Number of values in one item (the product of <see cref="Shape"/>).</summary>
    [JsonIgnore]
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}
