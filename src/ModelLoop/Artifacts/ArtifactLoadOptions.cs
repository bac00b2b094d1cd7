namespace ModelLoop.Artifacts;

/// <summary>How <see cref="ModelArtifact.Load"/> reads, and what it insists on.</summary>
public sealed record ArtifactLoadOptions
{
    /// <summary>
    /// Key for an encrypted artifact. Defaults to null: the key in MODELLOOP_ARTIFACT_KEY, if set.
    /// </summary>
    public ArtifactEncryptionKey? EncryptionKey { get; init; }
    /// <summary>
    /// SHA-256 (hex) the manifest itself must have, e.g. as recorded by the registry at registration, so a
    /// manifest rewritten together with the files is caught too. Defaults to null (not checked).
    /// </summary>
    public string? ExpectedManifestSha256 { get; init; }
    /// <summary>
    /// Public keys whose signatures are accepted. A signed artifact whose key is here must verify; one signed by
    /// another key is refused when <see cref="RequireSignature"/> is set. Defaults to null: none (the registry's
    /// <see cref="Registry.ModelRegistry.Load"/> and the server fill in the registry's trusted keys).
    /// </summary>
    public IReadOnlyList<ArtifactPublicKey>? TrustedKeys { get; init; }
    /// <summary>Refuse an artifact that is not signed by one of <see cref="TrustedKeys"/>. Defaults to false.</summary>
    public bool RequireSignature { get; init; }
    /// <summary>Refuse an artifact that is not encrypted at rest (no "encryption" block in its manifest). Defaults to false.</summary>
    public bool RequireEncryption { get; init; }
}
