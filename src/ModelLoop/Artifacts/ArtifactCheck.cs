namespace ModelLoop.Artifacts;

/// <summary>Which check of an artifact failed (<see cref="ArtifactCheckFailure.Of"/>), in the order they run.</summary>
public enum ArtifactCheck
{
    /// <summary>manifest.json is missing, malformed, of another format, or lists files the artifact does not have (or not those it has).</summary>
    Manifest,
    /// <summary>The manifest's SHA-256 is not the one the registry recorded when the version was registered.</summary>
    RegisteredManifest,
    /// <summary>A file's SHA-256 is not the one its manifest records.</summary>
    Checksum,
    /// <summary>The artifact is unsigned although a signature is required, or its signature does not verify.</summary>
    Signature,
    /// <summary>The artifact is signed with a key that is not trusted (not in the registry's trusted keys).</summary>
    TrustedKey,
    /// <summary>The artifact is not encrypted although encryption is required, its files are encrypted but its manifest says they are not, or the key is missing or another.</summary>
    Encryption,
    /// <summary>An encrypted file does not authenticate as that file of that artifact: altered, or moved from another artifact or name.</summary>
    AuthenticatedData,
    /// <summary>A run folder's checksums.json does not match the run folder's files.</summary>
    RunFolderChecksum,
}
