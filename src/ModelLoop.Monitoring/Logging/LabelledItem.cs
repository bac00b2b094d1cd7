namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// A logged item whose true answer is known (<see cref="PredictionLog.ReadLabelled"/>): from a label in its feedback,
/// or, for a classifier, from feedback saying the prediction was correct (the true class is then the predicted one).
/// </summary>
/// <param name="Prediction">The request it belongs to (its <see cref="LoggedPrediction.Items"/> hold only <paramref name="Item"/>).</param>
/// <param name="TrueClass">Classification: the true class index.</param>
/// <param name="TrueValues">Regression: the true outputs.</param>
public sealed record LabelledItem(LoggedPrediction Prediction, LoggedItem Item, int? TrueClass, IReadOnlyList<double>? TrueValues);
