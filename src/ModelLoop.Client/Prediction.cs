namespace ModelLoop.Client;

/// <summary>Outputs (one row per item, raw: logits for classifiers) of the version that ran, and the argmax class for classifiers.</summary>
public sealed record Prediction(string Model, string Version, IReadOnlyList<float[]> Outputs, IReadOnlyList<int>? Classes);
