namespace ModelLoop.Evaluation;

/// <summary>
/// Regression metrics over whole arrays (one value per sample; flatten multi-output targets first, which
/// equals scikit-learn's uniform average only for one output). Checked against scikit-learn to 1e-6. For
/// batch-by-batch use, see <see cref="RegressionAccumulator"/>.
/// </summary>
public static class RegressionMetrics
{
    public static double MeanSquaredError(IReadOnlyList<double> targets, IReadOnlyList<double> predicted) =>
        Accumulate(targets, predicted).MeanSquaredError;

    public static double RootMeanSquaredError(IReadOnlyList<double> targets, IReadOnlyList<double> predicted) =>
        Accumulate(targets, predicted).RootMeanSquaredError;

    public static double MeanAbsoluteError(IReadOnlyList<double> targets, IReadOnlyList<double> predicted) =>
        Accumulate(targets, predicted).MeanAbsoluteError;

    /// <summary>
    /// Coefficient of determination, 1 − SS_res / SS_tot. With constant targets (SS_tot = 0) it is 1 for a
    /// perfect prediction and 0 otherwise, as scikit-learn's <c>r2_score</c> (force_finite=True).
    /// </summary>
    public static double R2(IReadOnlyList<double> targets, IReadOnlyList<double> predicted) =>
        Accumulate(targets, predicted).R2;

    /// <summary>
    /// Mean of |y − ŷ| / max(|y|, ε) with ε = 2.2e-16, as scikit-learn's <c>mean_absolute_percentage_error</c>:
    /// a fraction (0.1 = 10%), and huge when a target is 0 — prefer MAE for targets near zero.
    /// </summary>
    public static double MeanAbsolutePercentageError(IReadOnlyList<double> targets, IReadOnlyList<double> predicted) =>
        Accumulate(targets, predicted).MeanAbsolutePercentageError;

    private static RegressionAccumulator Accumulate(IReadOnlyList<double> targets, IReadOnlyList<double> predicted)
    {
        ClassificationMetrics.CheckPair(targets, predicted);
        var accumulator = new RegressionAccumulator();
        accumulator.Add(targets, predicted);
        return accumulator;
    }
}
