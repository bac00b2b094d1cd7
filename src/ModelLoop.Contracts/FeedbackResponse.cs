using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>
/// The feedback stored for one item after POST /v1/models/{name}/feedback, as the server understood it: the true class
/// by name (<see cref="Label"/>, with its index <see cref="Class"/>) or the true <see cref="Values"/>, the correct flag,
/// the score, and what this call did (<see cref="Status"/>).
/// </summary>
public sealed record FeedbackResponse(string RequestId, int Item, FeedbackStatus Status)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    [JsonPropertyName("class")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Class { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double>? Values { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Correct { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Score { get; init; }
}
