namespace ModelLoop.Artifacts;

/// <summary>How <see cref="ModelArtifact.Save"/> writes.</summary>
public sealed record ArtifactSaveOptions
{
    /// <summary>Encrypt model.json and the weights with AES-256-GCM. Defaults to null (not encrypted).</summary>
    public ArtifactEncryptionKey? EncryptionKey { get; init; }
    /// <summary>Replace an existing artifact at the path (atomically). Defaults to false: refuse.</summary>
    public bool Overwrite { get; init; }
}
