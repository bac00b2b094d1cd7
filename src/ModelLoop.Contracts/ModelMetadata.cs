namespace ModelLoop.Contracts;

/// <summary>GET /v1/models/{name}: one version's input, output shape, what its predictions hold, batching and an example request body.</summary>
public sealed record ModelMetadata(string Name, string Version, ModelInput Input, IReadOnlyList<long> OutputShape,
    int MaxBatchSize, double MaxDelayMs, string ExampleRequest)
{
    /// <summary>Classification (predictions carry a label, class and probabilities) or regression (values).</summary>
    public PredictionTask Task { get; init; }

    /// <summary>The labels predictions use: class names of a classifier, output names of a regression model.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
}
