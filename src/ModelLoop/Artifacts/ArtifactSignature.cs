using System.Text.Json.Nodes;
using ModelLoop.IO;

namespace ModelLoop.Artifacts;

/// <summary>
/// The manifest's "signature" block: ECDSA P-256 / SHA-256 over the canonical JSON (<see cref="CanonicalJson"/>) of the
/// manifest without that block. The manifest lists every file's SHA-256 and the "encryption" block, so one signature
/// covers the weights, model.json and the promise that they are encrypted.
/// </summary>
internal static class ArtifactSignature
{
    public const string Field = "signature";
    public const string Algorithm = "ECDSA-P256-SHA256";

    /// <summary>Adds (or replaces) the signature block of <paramref name="manifest"/>.</summary>
    public static void Sign(JsonObject manifest, ArtifactSigningKey key)
    {
        manifest.Remove(Field);
        var signature = key.Sign(Payload(manifest));
        manifest[Field] = new JsonObject { ["algorithm"] = Algorithm, ["keyId"] = key.Id, ["value"] = Convert.ToBase64String(signature) };
    }

    /// <summary>
    /// Checks the signature against <paramref name="trusted"/> keys: a signed manifest whose key is trusted must verify;
    /// when <paramref name="required"/>, it must also be signed, and by a trusted key. Returns the signing key's id, or
    /// null when unsigned.
    /// </summary>
    public static string? Verify(JsonObject manifest, IReadOnlyList<ArtifactPublicKey> trusted, bool required, string path)
    {
        if (manifest[Field] is not JsonObject block)
        {
            if (manifest[Field] is not null)
                throw ArtifactCheckFailure.Create(ArtifactCheck.Signature, $"{ModelArtifact.ManifestFile} in artifact '{path}' has a \"{Field}\" that is not an object. Sign the artifact again (`modelloop models sign`).");
            if (required)
                throw ArtifactCheckFailure.Create(ArtifactCheck.Signature, $"artifact '{path}' is not signed, and a signature is required (--require-signature). Sign it with `modelloop models sign {path} --sign-key KEY.pem`, or register it with --sign-key.");
            return null;
        }
        var keyId = (string?)block["keyId"];
        if ((string?)block["algorithm"] != Algorithm)
            throw ArtifactCheckFailure.Create(ArtifactCheck.Signature, $"artifact '{path}' is signed with algorithm '{block["algorithm"]}'; expected {Algorithm}. Sign it again with a key from `modelloop keys generate`.");
        var key = trusted.FirstOrDefault(k => k.Id == keyId);
        if (key is null)
        {
            if (!required)
                return keyId; // nothing to check it against, and not asked to insist
            throw ArtifactCheckFailure.Create(ArtifactCheck.TrustedKey, $"artifact '{path}' is signed with key {keyId}, which is not trusted (trusted: {(trusted.Count == 0 ? "none" : string.Join(", ", trusted.Select(k => k.Id)))}). If you trust its signer, add their public key with `modelloop keys trust KEY.pub.pem`.");
        }
        byte[] value;
        try
        {
            value = Convert.FromBase64String((string?)block["value"] ?? "");
        }
        catch (FormatException e)
        {
            throw ArtifactCheckFailure.Create(ArtifactCheck.Signature, $"artifact '{path}' has a signature value that is not base64. Sign it again.", e);
        }
        var unsigned = manifest.DeepClone().AsObject();
        unsigned.Remove(Field);
        if (!key.Verify(Payload(unsigned), value))
            throw ArtifactCheckFailure.Create(ArtifactCheck.Signature, $"the signature of artifact '{path}' by key {keyId} does not verify: {ModelArtifact.ManifestFile} was changed after signing (e.g. a checksum or the encryption block). Refusing to load it; restore the artifact from its signer.");
        return keyId;
    }

    private static byte[] Payload(JsonObject manifest) => CanonicalJson.Utf8(manifest);
}
