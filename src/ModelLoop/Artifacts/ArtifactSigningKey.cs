using System.Security.Cryptography;

namespace ModelLoop.Artifacts;

/// <summary>
/// The private key that signs artifacts: ECDSA P-256 (System.Security.Cryptography), kept as a PKCS#8 PEM file,
/// password-encrypted when <see cref="PasswordVariable"/> is set (as cosign's COSIGN_PASSWORD). A signature covers the
/// canonical manifest, which holds every file's SHA-256 and the encryption block, so it authenticates the whole
/// artifact. Create a pair with <c>modelloop keys generate PATH</c> (<see cref="Generate"/> + <see cref="Save"/>).
/// </summary>
public sealed class ArtifactSigningKey
{
    /// <summary>Environment variable with the password of an encrypted private key file: MODELLOOP_SIGNING_KEY_PASSWORD.</summary>
    public const string PasswordVariable = "MODELLOOP_SIGNING_KEY_PASSWORD";

    private readonly byte[] _pkcs8;

    private ArtifactSigningKey(ECDsa ecdsa, string source)
    {
        PublicKey = ArtifactPublicKey.FromEcdsa(ecdsa, source);
        _pkcs8 = ecdsa.ExportPkcs8PrivateKey();
    }

    /// <summary>The key that verifies this key's signatures; trust it in the registry.</summary>
    public ArtifactPublicKey PublicKey { get; }

    /// <summary>The key id (of <see cref="PublicKey"/>) written into the manifests it signs.</summary>
    public string Id => PublicKey.Id;

    /// <summary>A new random P-256 key.</summary>
    public static ArtifactSigningKey Generate()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new ArtifactSigningKey(ecdsa, "a generated key");
    }

    /// <summary>
    /// Writes the private key to <paramref name="path"/> (PKCS#8 PEM, readable by the owner only on Unix; encrypted
    /// with <paramref name="password"/> when given) and the public key to <see cref="PublicKeyPath"/>. Refuses to
    /// overwrite either file: a lost signing key cannot be recovered, an overwritten one is lost.
    /// </summary>
    /// <returns>The path of the public key file.</returns>
    public string Save(string path, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var publicPath = PublicKeyPath(path);
        foreach (var target in new[] { path, publicPath })
            if (File.Exists(target))
                throw new IOException($"'{target}' already exists; a signing key is never overwritten. Choose another path, or delete the old key pair first if it is no longer used.");
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(_pkcs8, out _);
        var pem = string.IsNullOrEmpty(password)
            ? ecdsa.ExportPkcs8PrivateKeyPem()
            : ecdsa.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000));
        IO.AtomicFile.Write(path, stream =>
        {
            // Owner-only before the key is written, so no reader can open it in between.
            if (stream is FileStream file && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(pem));
        });
        IO.AtomicFile.WriteAllText(publicPath, PublicKey.ToPem());
        return publicPath;
    }

    /// <summary>Where <see cref="Save"/> puts the public key of a private key at <paramref name="path"/>: "signing.pem" → "signing.pub.pem".</summary>
    public static string PublicKeyPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path) + ".pub.pem");

    /// <summary>
    /// Reads a private key file (PKCS#8 or SEC1 PEM). An encrypted one is opened with <paramref name="password"/>, else
    /// with $MODELLOOP_SIGNING_KEY_PASSWORD.
    /// </summary>
    /// <exception cref="FormatException">No P-256 private key in the file, or the password is missing or wrong.</exception>
    public static ArtifactSigningKey FromPemFile(string path, string? password = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Signing key file '{path}' does not exist. Create a key pair with `modelloop keys generate {path}`.", path);
        var pem = File.ReadAllText(path);
        var source = $"signing key file '{path}'";
        using var ecdsa = ECDsa.Create();
        try
        {
            if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            {
                password ??= Environment.GetEnvironmentVariable(PasswordVariable);
                if (string.IsNullOrEmpty(password))
                    throw new FormatException($"The {source} is password-protected; set {PasswordVariable} to its password.");
                ecdsa.ImportFromEncryptedPem(pem, password);
            }
            else if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
                ecdsa.ImportFromPem(pem);
            else
                throw new FormatException($"The {source} holds no private key (expected \"-----BEGIN PRIVATE KEY-----\"); a .pub.pem file verifies, it cannot sign. Pass the private key written by `modelloop keys generate`.");
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"The {source} does not open: {e.Message} A password-protected key needs its password in {PasswordVariable}.", e);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"The {source} holds no ECDSA private key in PEM: {e.Message}", e);
        }
        return new ArtifactSigningKey(ecdsa, $"the {source}");
    }

    /// <summary>ECDSA P-256 with SHA-256 over <paramref name="data"/>, IEEE P1363 form (64 bytes).</summary>
    internal byte[] Sign(byte[] data)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(_pkcs8, out _);
        return ecdsa.SignData(data, HashAlgorithmName.SHA256);
    }
}
