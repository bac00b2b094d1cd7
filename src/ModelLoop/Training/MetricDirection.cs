namespace ModelLoop.Training;

/// <summary>Which way a metric improves; monitoring callbacks take it from the metric instead of guessing from its name.</summary>
public enum MetricDirection
{
    /// <summary>Smaller is better: losses, errors (loss, mse, mae, log_loss, rmse, ece, mape).</summary>
    LowerIsBetter,
    /// <summary>Larger is better: accuracies and scores (accuracy, f1, roc_auc, r2).</summary>
    HigherIsBetter,
}
