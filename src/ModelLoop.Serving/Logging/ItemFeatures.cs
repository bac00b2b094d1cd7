using ModelLoop.Artifacts;

namespace ModelLoop.Serving.Logging;

/// <summary>What the prediction log keeps of an item's features when its package has no reference profile (no <see cref="ItemMonitor"/>).</summary>
internal static class ItemFeatures
{
    /// <summary>
    /// What the log keeps of an item without a reference profile: what the model answered (a classifier's class and top
    /// probability, a regression model's first value), so prediction drift can still be watched.
    /// </summary>
    public static MonitoredItem Predictions(PackageInfo package, ReadOnlySpan<float> outputs)
    {
        if (package.Task != ModelTask.Classification)
            return new MonitoredItem { PredictedValue = outputs[0] };
        var (predicted, probabilities) = package.Classify(outputs);
        return new MonitoredItem { PredictedClass = predicted, Confidence = probabilities[predicted] };
    }
}
