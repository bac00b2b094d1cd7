namespace ModelLoop.Artifacts;

/// <summary>How <see cref="ModelArtifact.Save"/> and <see cref="ModelArtifact.SaveOnnx"/> write.</summary>
public sealed record ArtifactSaveOptions
{
    /// <summary>Encrypt model.json and the weights with AES-256-GCM. Defaults to null (not encrypted).</summary>
    public ArtifactEncryptionKey? EncryptionKey { get; init; }
    /// <summary>
    /// Sign the manifest (ECDSA P-256) so a changed checksum, a stripped encryption block or a swapped file is refused
    /// by anyone who trusts the key. Defaults to null (not signed).
    /// </summary>
    public ArtifactSigningKey? SigningKey { get; init; }
    /// <summary>
    /// The model's ONNX graph, stored as <c>model.onnx</c> beside the weights (checksummed, and encrypted with the
    /// other files); a package whose <see cref="ArtifactMetadata.Runtime"/> is ONNX must have one. Defaults to null (none).
    /// </summary>
    public byte[]? Onnx { get; init; }
    /// <summary>
    /// More files stored in the package beside model.json and the weights, by flat name (no folder, not one of the
    /// package's own names): checksummed in the manifest, encrypted and signed with the other files, and read back
    /// verified as <see cref="LoadedArtifact.ExtraFiles"/> — e.g. a language model's tokenizer, which the model cannot
    /// be used without. Defaults to none.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> ExtraFiles { get; init; } = new Dictionary<string, byte[]>();
    /// <summary>Replace an existing artifact at the path (atomically). Defaults to false: refuse.</summary>
    public bool Overwrite { get; init; }
}
