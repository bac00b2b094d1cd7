using System.Security.Cryptography;

namespace ModelLoop.Artifacts;

/// <summary>
/// The public half of an <see cref="ArtifactSigningKey"/> (ECDSA P-256, SubjectPublicKeyInfo PEM, "-----BEGIN PUBLIC
/// KEY-----"): what verifies an artifact's signature. Trust one in the registry with <c>modelloop keys trust FILE</c>
/// (<see cref="Registry.ModelRegistry.TrustKey"/>). Its <see cref="Id"/> is stored in every manifest it signs.
/// </summary>
public sealed class ArtifactPublicKey
{
    private readonly byte[] _subjectPublicKeyInfo;

    internal ArtifactPublicKey(byte[] subjectPublicKeyInfo)
    {
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        Id = IdOf(subjectPublicKeyInfo);
    }

    /// <summary>16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo: the key id a manifest names.</summary>
    public string Id { get; }

    /// <summary>The key as PEM ("-----BEGIN PUBLIC KEY-----"), e.g. for a .pub.pem file.</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", _subjectPublicKeyInfo);

    /// <summary>Reads a P-256 public key from PEM text.</summary>
    /// <exception cref="FormatException">The text holds no P-256 public key; the message says what it holds instead.</exception>
    public static ArtifactPublicKey FromPem(string pem, string source = "the PEM text")
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
            throw new FormatException($"{source} holds a private key; trust only the public key (the .pub.pem file `modelloop keys generate` writes beside it). Keep the private key where only the signer can read it.");
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{source} holds no ECDSA public key in PEM (expected \"-----BEGIN PUBLIC KEY-----\", as `modelloop keys generate` writes): {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{source} holds no ECDSA P-256 public key: {e.Message}", e);
        }
        return FromEcdsa(ecdsa, source);
    }

    /// <summary>Reads a public key file (PEM).</summary>
    public static ArtifactPublicKey FromPemFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Public key file '{path}' does not exist. Create a key pair with `modelloop keys generate PATH` (it writes PATH and PATH's .pub.pem).", path);
        return FromPem(File.ReadAllText(path), $"public key file '{path}'");
    }

    internal static ArtifactPublicKey FromEcdsa(ECDsa ecdsa, string source)
    {
        var curve = ecdsa.ExportParameters(false).Curve;
        if (!curve.IsNamed || curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            throw new FormatException($"{source} is an ECDSA key on curve {curve.Oid.FriendlyName ?? curve.Oid.Value ?? "(unnamed)"}; artifact signatures use P-256 (nistP256). Create a key with `modelloop keys generate PATH`.");
        return new ArtifactPublicKey(ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Whether <paramref name="signature"/> (IEEE P1363, 64 bytes) signs <paramref name="data"/> with SHA-256.</summary>
    internal bool Verify(byte[] data, byte[] signature)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256);
    }

    private static string IdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 8));
}
