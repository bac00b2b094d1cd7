namespace ModelLoop.Registry;

/// <summary>A named model in the registry: how many versions it has and where its aliases point.</summary>
public sealed record RegisteredModel(string Name, int LatestVersion, int VersionCount, IReadOnlyDictionary<string, int> Aliases, DateTimeOffset CreatedUtc);
