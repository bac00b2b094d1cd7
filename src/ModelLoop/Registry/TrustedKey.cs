using ModelLoop.Artifacts;

namespace ModelLoop.Registry;

/// <summary>A public key the registry trusts to sign artifacts (<see cref="ModelRegistry.TrustKey"/>), with who added it and when.</summary>
/// <param name="KeyId">The key id manifests name (<see cref="ArtifactPublicKey.Id"/>).</param>
/// <param name="Name">A label, e.g. "ci-release". Null when none was given.</param>
/// <param name="PublicKey">The key.</param>
public sealed record TrustedKey(string KeyId, string? Name, ArtifactPublicKey PublicKey, DateTimeOffset AddedUtc, string AddedBy);
