namespace ModelLoop.Evaluation;

/// <summary>
/// Precision, recall and F1 of every class (index = class), with support (true samples of the class) and
/// the counts behind them. A ratio with a zero denominator is 0, as scikit-learn's <c>zero_division=0</c>:
/// a class that is never predicted has precision 0, a class absent from the labels has recall 0.
/// </summary>
public sealed record ClassificationScores(double[] Precision, double[] Recall, double[] F1, long[] Support,
    long[] TruePositives, long[] FalsePositives, long[] FalseNegatives)
{
    public int ClassCount => Precision.Length;

    /// <summary>
    /// One precision/recall/F1 for all classes. Macro averages every class of the range, including classes
    /// absent from both labels and predictions (they count as 0, like scikit-learn given <c>labels=range(k)</c>).
    /// Weighted uses the support as weights (0 when there are no samples).
    /// </summary>
    public (double Precision, double Recall, double F1) Average(ClassAverage average)
    {
        switch (average)
        {
            case ClassAverage.Micro:
                long tp = TruePositives.Sum(), fp = FalsePositives.Sum(), fn = FalseNegatives.Sum();
                var p = Ratio(tp, tp + fp);
                var r = Ratio(tp, tp + fn);
                return (p, r, F1Of(tp, fp, fn));
            case ClassAverage.Macro:
                return (Precision.Average(), Recall.Average(), F1.Average());
            case ClassAverage.Weighted:
                double total = Support.Sum();
                if (total == 0)
                    return (0, 0, 0);
                double Weighted(double[] values) => values.Select((v, i) => v * Support[i]).Sum() / total;
                return (Weighted(Precision), Weighted(Recall), Weighted(F1));
            default:
                throw new ArgumentOutOfRangeException(nameof(average), average, "Expected Macro, Micro or Weighted.");
        }
    }

    internal static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    /// <summary>F1 = 2tp / (2tp + fp + fn), the harmonic mean of precision and recall without dividing twice.</summary>
    internal static double F1Of(long tp, long fp, long fn) => Ratio(2 * tp, 2 * tp + fp + fn);
}
