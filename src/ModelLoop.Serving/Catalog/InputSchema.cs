using System.Text.Json.Serialization;
using ModelLoop.Modeling;

namespace ModelLoop.Serving.Catalog;

/// <summary>
/// What one input item must look like: its shape without the batch dimension (PyTorch order), whether
/// values are reals or token ids, and for flat tabular inputs the feature names a JSON record may use.
/// </summary>
public sealed record InputSchema(long[] Shape, [property: JsonConverter(typeof(JsonStringEnumConverter<InputKind>))] InputKind Kind, IReadOnlyList<string>? FeatureNames)
{
    /// <summary>Number of values in one item (the product of <see cref="Shape"/>).</summary>
    [JsonIgnore]
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}
