using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>What a model's predictions hold, written as "Classification" or "Regression".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PredictionTask>))]
public enum PredictionTask
{
    /// <summary>Each prediction has a label, a class index and class probabilities.</summary>
    Classification,
    /// <summary>Each prediction has values keyed by output name.</summary>
    Regression,
}
