namespace ModelLoop.Contracts;

/// <summary>A model in GET /v1/models: its versions (oldest first) and aliases (alias → version).</summary>
public sealed record ModelSummary(string Name, IReadOnlyList<string> Versions, IReadOnlyDictionary<string, string> Aliases);
