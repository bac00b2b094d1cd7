using ModelLoop.Modeling;

namespace ModelLoop.Artifacts;

/// <summary>What a runtime loader gets of a verified (checksummed, decrypted) package.</summary>
/// <param name="ArtifactPath">The package folder or .zip, for messages.</param>
/// <param name="Spec">The architecture the model was made from.</param>
/// <param name="Metadata">The package's model.json metadata; its <see cref="ArtifactMetadata.Runtime"/> chose the loader.</param>
/// <param name="Files">Every file of the package but the manifest, verified and decrypted, by name.</param>
public sealed record RuntimeModelFiles(string ArtifactPath, ModelSpec Spec, ArtifactMetadata Metadata, IReadOnlyDictionary<string, byte[]> Files);
