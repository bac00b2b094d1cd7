namespace ModelLoop.Serving.Catalog;

/// <summary>A model the catalog offers: its versions (oldest first) and aliases (alias → version).</summary>
public sealed record ModelInfo(string Name, IReadOnlyList<string> Versions, IReadOnlyDictionary<string, string> Aliases);
