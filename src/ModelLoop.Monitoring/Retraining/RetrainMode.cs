namespace ModelLoop.Monitoring.Retraining;

/// <summary>How a retraining job makes its challenger.</summary>
public enum RetrainMode
{
    /// <summary>The production model's config from scratch, on its training data plus the labelled feedback.</summary>
    Retrain,
    /// <summary>
    /// From the production model's weights and fitted pipeline (<c>initFrom</c>), on the labelled feedback plus a
    /// replay sample of the original training rows, for a few epochs at a lower rate.
    /// </summary>
    FineTune,
}
