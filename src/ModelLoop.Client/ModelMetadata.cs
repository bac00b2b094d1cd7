namespace ModelLoop.Client;

/// <summary>One model version: what an input item looks like, the output shape, batching, and an example request body.</summary>
public sealed record ModelMetadata(string Name, string Version, ModelInput Input, IReadOnlyList<long> OutputShape,
    int MaxBatchSize, double MaxDelayMs, string ExampleRequest);
