namespace ModelLoop.Serving.Api;

/// <summary>A model in GET /v1/models.</summary>
public sealed record ModelSummary(string Name, IReadOnlyList<string> Versions, IReadOnlyDictionary<string, string> Aliases);
