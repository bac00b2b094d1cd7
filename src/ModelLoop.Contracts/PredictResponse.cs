namespace ModelLoop.Contracts;

/// <summary>
/// POST /v1/models/{name}/predict: the model and version that ran and one <see cref="ItemPrediction"/> per item sent,
/// in order. <c>{ "model": "fashion", "version": "3", "predictions": [{ "label": "Ankle boot", "class": 9, "probabilities": { … } }] }</c>.
/// </summary>
public sealed record PredictResponse(string Model, string Version, IReadOnlyList<ItemPrediction> Predictions);
