using ModelLoop.Artifacts;

namespace ModelLoop.Serving.Logging;

/// <summary>Where a served version gets its <see cref="IItemFeatures"/>: the one call site of the core's <c>ItemMonitor.For</c>.</summary>
internal static class ItemFeatures
{
    /// <summary>The package's feature extractor; null when it has no reference profile (the log then keeps the predictions' part only).</summary>
    public static IItemFeatures? For(ArtifactMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        // ItemMonitor call site: becomes `ItemMonitor.For(metadata) is { } monitor ? new Adapter(monitor) : null` once the
        // core's ItemMonitor is merged; until then no package gets input features.
        return null;
    }

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
