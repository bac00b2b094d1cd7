using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>
/// POST /v1/models/{name}/feedback body: what was true for one item of a logged prediction, named by the
/// <see cref="RequestId"/> its predict response returned (and <see cref="Item"/>, the item's index, for a request of
/// several items). Give at least one of <see cref="Label"/>, <see cref="Correct"/>, <see cref="Score"/>.
/// <code>{ "requestId": "0193…", "item": 2, "label": "Ankle boot" }   { "requestId": "0193…", "correct": false }</code>
/// Sending the same feedback again is answered 200 "Unchanged"; different feedback for the same item replaces the
/// stored one (last write wins, 200 "Replaced").
/// </summary>
public sealed record FeedbackRequest(string RequestId)
{
    /// <summary>The item's index in its request (0…items−1). Defaults to null: 0, allowed only for a request of one item.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Item { get; init; }

    /// <summary>
    /// The true answer. A classifier: a class name of the model (as predictions' "label" show it) or a class index
    /// (a whole number 0…k−1). A regression model: a number (one output) or an array of one number per output.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Label { get; init; }

    /// <summary>Whether the prediction was right (for a classifier, "true" also labels the item with the predicted class).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Correct { get; init; }

    /// <summary>A free score of the prediction (e.g. a user's rating); any finite number.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Score { get; init; }

    /// <summary>Feedback naming the true class by its name.</summary>
    public static FeedbackRequest WithLabel(string requestId, string label, int? item = null) =>
        new(requestId) { Item = item, Label = JsonSerializer.SerializeToElement(label) };

    /// <summary>Feedback naming the true class by its index.</summary>
    public static FeedbackRequest WithClass(string requestId, int classIndex, int? item = null) =>
        new(requestId) { Item = item, Label = JsonSerializer.SerializeToElement(classIndex) };

    /// <summary>Feedback giving a regression model's true value(s): one per output.</summary>
    public static FeedbackRequest WithValues(string requestId, IReadOnlyList<double> values, int? item = null) =>
        new(requestId) { Item = item, Label = values.Count == 1 ? JsonSerializer.SerializeToElement(values[0]) : JsonSerializer.SerializeToElement(values) };
}
