using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Api;

/// <summary>GET /v1/models/{name}: one version's input schema, output shape, batching and an example body.</summary>
public sealed record ModelMetadata(string Name, string Version, InputSchema Input, IReadOnlyList<long> OutputShape,
    int MaxBatchSize, double MaxDelayMs, string ExampleRequest);
