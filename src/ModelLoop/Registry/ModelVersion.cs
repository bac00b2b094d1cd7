namespace ModelLoop.Registry;

/// <summary>
/// One registered version of a named model: where its verified copy of the artifact lives (an absolute
/// path inside the registry's home; the database stores it relative, so the home can move), the manifest
/// hash recorded at registration, lineage (dataset → run → version), metrics, tags and the aliases on it.
/// </summary>
public sealed record ModelVersion(
    string Name,
    int Version,
    string ArtifactPath,
    string ManifestSha256,
    string? RunId,
    string? DatasetManifestHash,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Aliases,
    string? Description,
    DateTimeOffset CreatedUtc,
    string CreatedBy);
