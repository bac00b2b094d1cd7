namespace ModelLoop.Artifacts;

/// <summary>How <see cref="ModelArtifact.Load"/> reads.</summary>
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
}
