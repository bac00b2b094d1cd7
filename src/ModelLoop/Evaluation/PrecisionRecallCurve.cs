namespace ModelLoop.Evaluation;

/// <summary>
/// Points of a precision-recall curve by increasing threshold (scikit-learn's order); the last point,
/// (recall 0, precision 1), has no threshold, so <see cref="Thresholds"/> is one shorter.
/// </summary>
public sealed record PrecisionRecallCurve(double[] Precision, double[] Recall, double[] Thresholds);
