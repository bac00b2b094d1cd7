namespace ModelLoop.Contracts;

/// <summary>
/// POST /v1/models/{name}/predict: the model and version that ran and one <see cref="ItemPrediction"/> per item sent,
/// in order, with the request's id. <c>{ "model": "fashion", "version": "3", "requestId": "0193…", "predictions": [{ "label": "Ankle boot", "class": 9, "probabilities": { … } }] }</c>.
/// </summary>
public sealed record PredictResponse(string Model, string Version, IReadOnlyList<ItemPrediction> Predictions)
{
    /// <summary>
    /// The request's id, also in the X-Request-Id header: give it with feedback (<see cref="FeedbackRequest"/>) on these
    /// predictions, and when asking the operator about the request.
    /// </summary>
    public string RequestId { get; init; } = "";
}
