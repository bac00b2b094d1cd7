using System.Security.Cryptography;
using System.Text;

namespace ModelLoop.Artifacts;

/// <summary>
/// AES-256-GCM for one artifact file: "MLAE" + version byte + 12-byte nonce + 16-byte tag + ciphertext.
/// Version 2 (written now) authenticates "modelloop-artifact\0{artifact id}\0{file name}" as associated data, so a file
/// decrypts only in the artifact it was written for and under its own name: a file moved from another artifact
/// encrypted with the same key, or renamed within one, fails its tag. Version 1 (read only) bound the file name alone;
/// such files are accepted only in an artifact whose manifest has no artifact id, i.e. one written before version 2.
/// </summary>
internal static class ArtifactCipher
{
    private static readonly byte[] Magic = "MLAE"u8.ToArray();
    private const int HeaderLength = 4 + 1 + 12 + 16;
    private const byte BoundVersion = 2;
    private const byte NameOnlyVersion = 1;

    public static bool HasHeader(ReadOnlySpan<byte> stored) => stored.Length >= HeaderLength && stored[..4].SequenceEqual(Magic);

    public static byte[] Encrypt(ArtifactEncryptionKey key, string artifactId, string fileName, byte[] plain)
    {
        var result = new byte[HeaderLength + plain.Length];
        Magic.CopyTo(result, 0);
        result[4] = BoundVersion;
        var nonce = result.AsSpan(5, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Bytes, 16);
        aes.Encrypt(nonce, plain, result.AsSpan(HeaderLength), result.AsSpan(17, 16), AssociatedData(artifactId, fileName));
        return result;
    }

    /// <param name="artifactId">The manifest's artifact id; null for an artifact written before files were bound to it.</param>
    public static byte[] Decrypt(ArtifactEncryptionKey key, string? artifactId, string fileName, byte[] stored, string artifact)
    {
        if (!HasHeader(stored) || stored[4] is not (BoundVersion or NameOnlyVersion))
            throw ArtifactCheckFailure.Create(ArtifactCheck.Encryption, $"{fileName} in artifact '{artifact}' is not an encrypted ModelLoop file (no MLAE header), although the manifest says the artifact is encrypted.");
        if (stored[4] == NameOnlyVersion && artifactId is not null)
            throw ArtifactCheckFailure.Create(ArtifactCheck.AuthenticatedData, $"{fileName} in artifact '{artifact}' is an older encrypted file not bound to any artifact, but this artifact binds its files to artifact id {artifactId}: the file was put there from another artifact. Nothing was loaded; restore the artifact.");
        var associated = stored[4] == BoundVersion
            ? AssociatedData(artifactId ?? throw ArtifactCheckFailure.Create(ArtifactCheck.AuthenticatedData, $"{fileName} in artifact '{artifact}' is bound to an artifact id, but the manifest's \"encryption\" block has no \"artifactId\": the manifest was edited. Nothing was loaded; restore the artifact."), fileName)
            : Encoding.UTF8.GetBytes(fileName);
        var plain = new byte[stored.Length - HeaderLength];
        try
        {
            using var aes = new AesGcm(key.Bytes, 16);
            aes.Decrypt(stored.AsSpan(5, 12), stored.AsSpan(HeaderLength), stored.AsSpan(17, 16), plain, associated);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw ArtifactCheckFailure.Create(ArtifactCheck.AuthenticatedData, $"{fileName} in artifact '{artifact}' does not authenticate with key {key.Id} as file '{fileName}' of artifact {artifactId ?? "(unbound)"}: the key is wrong, the file was altered, or it was moved here from another artifact or file name. Nothing was loaded; restore the artifact from its source.", e);
        }
        return plain;
    }

    // Length-free separators are safe: an artifact id is 32 hex digits and file names hold no NUL.
    private static byte[] AssociatedData(string artifactId, string fileName) => Encoding.UTF8.GetBytes($"modelloop-artifact\0{artifactId}\0{fileName}");
}
