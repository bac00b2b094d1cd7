namespace ModelLoop.Client;

/// <summary>A model the key may call: its versions (oldest first) and aliases (alias → version).</summary>
public sealed record ModelDescription(string Name, IReadOnlyList<string> Versions, IReadOnlyDictionary<string, string> Aliases);
