using System.Security.Cryptography;
using System.Text;

namespace ModelLoop.Federated.Secure;

/// <summary>
/// Elliptic-curve Diffie–Hellman for secure aggregation, on .NET's <see cref="ECDiffieHellman"/> with NIST P-256.
/// Bonawitz et al. name X25519, but .NET 10 on Linux refuses Curve25519 for ECDiffieHellman
/// (<c>ECCurve.CreateFromFriendlyName("curve25519")</c> and OID 1.3.101.110 throw PlatformNotSupportedException, checked
/// on .NET 10.0.12 with OpenSSL 3), so the protocol uses P-256, which gives the same 128-bit security level; the
/// agreed secret goes through HKDF-SHA256 either way.
/// </summary>
internal static class KeyAgreement
{
    public static ECCurve Curve => ECCurve.NamedCurves.nistP256;

    public static ECDiffieHellman Create() => ECDiffieHellman.Create(Curve);

    public static byte[] PublicKey(ECDiffieHellman key) => key.ExportSubjectPublicKeyInfo();

    /// <summary>The private scalar d (32 bytes): what is Shamir-shared so a dropped owner's masks can be removed.</summary>
    public static byte[] PrivateScalar(ECDiffieHellman key) => key.ExportParameters(includePrivateParameters: true).D!;

    /// <summary>A key from a reconstructed private scalar and its owner's advertised public key.</summary>
    public static ECDiffieHellman FromPrivateScalar(byte[] scalar, byte[] publicKey)
    {
        using var peer = ImportPublic(publicKey);
        var q = peer.ExportParameters(includePrivateParameters: false).Q;
        return ECDiffieHellman.Create(new ECParameters { Curve = Curve, D = scalar, Q = q });
    }

    /// <summary>HKDF-SHA256 of the ECDH secret of <paramref name="own"/> and <paramref name="peerPublicKey"/>, bound to <paramref name="purpose"/>.</summary>
    public static byte[] Agree(ECDiffieHellman own, byte[] peerPublicKey, string purpose)
    {
        using var peer = ImportPublic(peerPublicKey);
        var secret = own.DeriveRawSecretAgreement(peer.PublicKey);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: null, info: Encoding.UTF8.GetBytes("modelloop-secagg|" + purpose));
    }

    private static ECDiffieHellman ImportPublic(byte[] publicKey)
    {
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new CryptographicException($"An advertised public key is not a valid P-256 SubjectPublicKeyInfo ({publicKey.Length} bytes): {e.Message}", e);
        }
    }
}
