using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Api;

// The JSON shapes of the HTTP API (camelCase on the wire); the client SDK mirrors them.

/// <summary>A model in GET /v1/models.</summary>
public sealed record ModelSummary(string Name, IReadOnlyList<string> Versions, IReadOnlyDictionary<string, string> Aliases);

/// <summary>GET /v1/models/{name}: one version's input schema, output shape, batching and an example body.</summary>
public sealed record ModelMetadata(string Name, string Version, InputSchema Input, IReadOnlyList<long> OutputShape,
    int MaxBatchSize, double MaxDelayMs, string ExampleRequest);

/// <summary>POST /v1/models/{name}/predict: one output row per item; for classifiers the argmax class of each.</summary>
public sealed record PredictResponse(string Model, string Version, float[][] Outputs, int[]? Classes);

/// <summary>POST /v1/admin/tenants body.</summary>
public sealed record CreateTenantRequest(string Name, IReadOnlyList<string> Models, int? RequestsPerMinute = null, long? DailyRequestQuota = null);

/// <summary>A tenant with a newly created key: the key is shown here once and never again.</summary>
public sealed record CreatedKey(string TenantId, string KeyId, string Key);
