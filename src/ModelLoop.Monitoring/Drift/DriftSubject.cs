using System.Text.Json.Serialization;

namespace ModelLoop.Monitoring.Drift;

/// <summary>What a drift check looks at.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftSubject>))]
public enum DriftSubject
{
    /// <summary>A monitored input feature (data drift).</summary>
    Feature,
    /// <summary>The penultimate-layer embeddings (data drift of images and other tensors).</summary>
    Embedding,
    /// <summary>The distribution of predicted classes (prediction drift).</summary>
    PredictedClass,
    /// <summary>The distribution of the top probability (confidence drift).</summary>
    Confidence,
    /// <summary>The distribution of the regression output (prediction drift).</summary>
    PredictedValue,
}
