using ModelLoop.Artifacts;
namespace ModelLoop.Registry;

/// <summary>Optional settings of <see cref="ModelRegistry.Register"/>.</summary>
public sealed record RegisterOptions
{
    /// <summary>Tags on the new version. Defaults to none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>Aliases to point at the new version in the same transaction (e.g. "challenger"). Defaults to none.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Defaults to the artifact's description.</summary>
    public string? Description { get; init; }
    /// <summary>Who registers, for the history. Defaults to the OS user name.</summary>
    public string? Actor { get; init; }
    /// <summary>Key for an encrypted artifact (it is verified by loading). Defaults to MODELLOOP_ARTIFACT_KEY.</summary>
    public ArtifactEncryptionKey? EncryptionKey { get; init; }
    /// <summary>
    /// Sign the registered copy's manifest with this key (the source artifact is left as it is); trust its public key
    /// (<see cref="ModelRegistry.TrustKey"/>) for servers that require signatures. Defaults to null (not signed here).
    /// </summary>
    public ArtifactSigningKey? SigningKey { get; init; }
    /// <summary>Refuse an artifact not signed by a key the registry trusts (unless <see cref="SigningKey"/> signs it now). Defaults to false.</summary>
    public bool RequireSignature { get; init; }
}
