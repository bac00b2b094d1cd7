namespace ModelLoop.Evaluation;

/// <summary>Points of a ROC curve, by decreasing threshold; the first point is (0, 0) at threshold +∞.</summary>
public sealed record RocCurve(double[] FalsePositiveRate, double[] TruePositiveRate, double[] Thresholds);
