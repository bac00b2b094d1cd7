using System.Security.Cryptography;
using System.Text;

namespace ModelLoop.Artifacts;

/// <summary>
/// A 256-bit AES key for artifacts encrypted at rest. Read it from the environment variable
/// <see cref="EnvironmentVariable"/> or a key file (base64 or hex text, or 32 raw bytes). Its
/// <see cref="Id"/> (a hash, not the key) is stored in the artifact so a wrong key is named as such.
/// </summary>
public sealed class ArtifactEncryptionKey
{
    /// <summary>The environment variable <see cref="FromEnvironment"/> reads: MODELLOOP_ARTIFACT_KEY.</summary>
    public const string EnvironmentVariable = "MODELLOOP_ARTIFACT_KEY";

    private readonly byte[] _key;

    private ArtifactEncryptionKey(byte[] key)
    {
        if (key.Length != 32)
            throw new ArgumentException($"An artifact key is 32 bytes (AES-256); received {key.Length}. Create one with ArtifactEncryptionKey.Generate() or `openssl rand -base64 32`.", nameof(key));
        _key = (byte[])key.Clone();
        Id = Convert.ToHexStringLower(SHA256.HashData([.. Encoding.ASCII.GetBytes("modelloop-artifact-key:"), .. _key]).AsSpan(0, 8));
    }

    /// <summary>A fingerprint of the key (16 hex digits) that reveals nothing about it.</summary>
    public string Id { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    public static ArtifactEncryptionKey FromBytes(byte[] key) => new(key ?? throw new ArgumentNullException(nameof(key)));

    /// <summary>A new random key.</summary>
    public static ArtifactEncryptionKey Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key as base64 text, for a key file or the environment variable.</summary>
    public string ToBase64() => Convert.ToBase64String(_key);

    /// <summary>The key in <paramref name="variable"/> (base64 or hex), or null when it is not set.</summary>
    public static ArtifactEncryptionKey? FromEnvironment(string variable = EnvironmentVariable)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(text) ? null : Parse(text, $"environment variable {variable}");
    }

    /// <summary>Reads a key file: base64 or hex text, or exactly 32 raw bytes.</summary>
    public static ArtifactEncryptionKey FromFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Key file '{path}' does not exist. Write one with a base64 key (e.g. `openssl rand -base64 32 > {path}`).", path);
        var bytes = File.ReadAllBytes(path);
        return bytes.Length == 32 ? new ArtifactEncryptionKey(bytes) : Parse(Encoding.UTF8.GetString(bytes), $"key file '{path}'");
    }

    private static ArtifactEncryptionKey Parse(string text, string source)
    {
        text = text.Trim();
        try
        {
            return new ArtifactEncryptionKey(text.Length == 64 && text.All(Uri.IsHexDigit) ? Convert.FromHexString(text) : Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw new FormatException($"The {source} does not hold a key: expected 32 bytes as base64 (44 characters) or hex (64 characters), received {text.Length} characters.");
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"The {source}: {e.Message}");
        }
    }
}
