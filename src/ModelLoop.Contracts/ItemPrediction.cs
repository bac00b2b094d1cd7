using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>
/// What the model says about one item. A classifier fills <see cref="Label"/>, <see cref="Class"/> and
/// <see cref="Probabilities"/>; a regression model fills <see cref="Values"/>. <see cref="Outputs"/> holds the raw
/// network outputs (logits for classifiers) only when the request asked for them (<c>?outputs=raw</c> or
/// <c>"returnOutputs": true</c>). Members that do not apply are left out of the JSON.
/// </summary>
public sealed record ItemPrediction
{
    /// <summary>The predicted class's name, or its index as text when the model does not know its class names.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    /// <summary>The predicted class index (0…k−1).</summary>
    [JsonPropertyName("class")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Class { get; init; }

    /// <summary>Probability of every class, keyed by label: softmax of the logits, or the sigmoid for a single-output binary classifier.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, float>? Probabilities { get; init; }

    /// <summary>Regression outputs keyed by output name ("output0", "output1"… when the model names none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, float>? Values { get; init; }

    /// <summary>The raw outputs, flattened; only when asked for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<float>? Outputs { get; init; }
}
