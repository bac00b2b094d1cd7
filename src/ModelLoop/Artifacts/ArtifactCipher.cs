using System.Security.Cryptography;
using System.Text;

namespace ModelLoop.Artifacts;

/// <summary>
/// AES-256-GCM for one artifact file: "MLAE" + version byte + 12-byte nonce + 16-byte tag + ciphertext.
/// The file name is the associated data, so encrypted files cannot be swapped for one another.
/// </summary>
internal static class ArtifactCipher
{
    private static readonly byte[] Magic = "MLAE"u8.ToArray();
    private const int HeaderLength = 4 + 1 + 12 + 16;

    public static byte[] Encrypt(ArtifactEncryptionKey key, string fileName, byte[] plain)
    {
        var result = new byte[HeaderLength + plain.Length];
        Magic.CopyTo(result, 0);
        result[4] = 1;
        var nonce = result.AsSpan(5, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Bytes, 16);
        aes.Encrypt(nonce, plain, result.AsSpan(HeaderLength), result.AsSpan(17, 16), Encoding.UTF8.GetBytes(fileName));
        return result;
    }

    public static byte[] Decrypt(ArtifactEncryptionKey key, string fileName, byte[] stored, string artifact)
    {
        if (stored.Length < HeaderLength || !stored.AsSpan(0, 4).SequenceEqual(Magic) || stored[4] != 1)
            throw new InvalidDataException($"{fileName} in artifact '{artifact}' is not an encrypted ModelLoop file (no MLAE header), although the manifest says the artifact is encrypted.");
        var plain = new byte[stored.Length - HeaderLength];
        try
        {
            using var aes = new AesGcm(key.Bytes, 16);
            aes.Decrypt(stored.AsSpan(5, 12), stored.AsSpan(HeaderLength), stored.AsSpan(17, 16), plain, Encoding.UTF8.GetBytes(fileName));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidDataException($"{fileName} in artifact '{artifact}' does not decrypt with key {key.Id}: the key is wrong or the file was altered. Nothing was loaded.", e);
        }
        return plain;
    }
}
