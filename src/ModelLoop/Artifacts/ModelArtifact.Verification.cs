using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelLoop.Artifacts;

public static partial class ModelArtifact
{
    /// <summary>
    /// Signs an existing artifact (folder or .zip) in place: checks every checksum, then rewrites its manifest with a
    /// signature by <paramref name="key"/> (replacing any earlier one), atomically. Returns the new manifest's SHA-256.
    /// Nothing is decrypted: the signature covers the stored bytes through their checksums.
    /// </summary>
    /// <exception cref="InvalidDataException">A file does not match its checksum (<see cref="ArtifactCheck.Checksum"/>); nothing is signed.</exception>
    public static string Sign(string path, ArtifactSigningKey key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(key);
        var files = ArtifactFiles.Read(path);
        var manifest = Guarded(path, () => ReadChecked(path, files, new ArtifactLoadOptions()));
        ArtifactSignature.Sign(manifest, key);
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(Json));
        files[ManifestFile] = bytes;
        ArtifactFiles.Write(path, files, overwrite: true);
        return Sha256(bytes);
    }

    /// <summary>
    /// Every check, in order: the manifest (format, files listed) and its registered hash, each file's checksum, the
    /// signature against the trusted keys, required encryption, then decryption with each file authenticated as that
    /// file of that artifact. Returns the plain files and the manifest's SHA-256.
    /// </summary>
    private static (Dictionary<string, byte[]> Plain, string ManifestSha256) Verify(string path, Dictionary<string, byte[]> files, ArtifactLoadOptions options) =>
        Guarded(path, () => VerifyManifest(path, files, options));

    private static T Guarded<T>(string path, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            // A manifest value of the wrong JSON type (e.g. a number where a hash belongs).
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' is malformed: {e.Message} Save the artifact again.", e);
        }
    }

    private static (Dictionary<string, byte[]> Plain, string ManifestSha256) VerifyManifest(string path, Dictionary<string, byte[]> files, ArtifactLoadOptions options)
    {
        var manifest = ReadChecked(path, files, options);
        var manifestSha = Sha256(files[ManifestFile]);
        ArtifactSignature.Verify(manifest, options.TrustedKeys ?? [], options.RequireSignature, path);

        var plain = files.Where(p => p.Key != ManifestFile).ToDictionary(p => p.Key, p => p.Value);
        if (manifest["encryption"] is not JsonObject encryption)
        {
            // A stripped "encryption" block leaves ciphertext behind under a manifest that calls it plain text.
            if (plain.FirstOrDefault(p => ArtifactCipher.HasHeader(p.Value)).Key is { } encrypted)
                throw ArtifactCheckFailure.Create(ArtifactCheck.Encryption, $"{encrypted} in artifact '{path}' is encrypted (MLAE header), but {ManifestFile} has no \"encryption\" block: the block was removed. Refusing to read it; restore the artifact.");
            if (options.RequireEncryption)
                throw ArtifactCheckFailure.Create(ArtifactCheck.Encryption, $"artifact '{path}' is not encrypted, and encryption is required (--require-encryption). Save it with an artifact key (`modelloop train --key-file`, ArtifactSaveOptions.EncryptionKey).");
            return (plain, manifestSha);
        }
        var keyId = (string?)encryption["keyId"];
        var artifactId = (string?)encryption["artifactId"];
        var key = options.EncryptionKey ?? ArtifactEncryptionKey.FromEnvironment()
            ?? throw ArtifactCheckFailure.Create(ArtifactCheck.Encryption, $"Artifact '{path}' is encrypted (AES-256-GCM, key id {keyId}). Set {ArtifactEncryptionKey.EnvironmentVariable} to its key (base64) or pass ArtifactLoadOptions.EncryptionKey.");
        if (key.Id != keyId)
            throw ArtifactCheckFailure.Create(ArtifactCheck.Encryption, $"Artifact '{path}' was encrypted with key id {keyId}, but the key given has id {key.Id}. Use the key it was saved with.");
        return (plain.ToDictionary(p => p.Key, p => ArtifactCipher.Decrypt(key, artifactId, p.Key, p.Value, path)), manifestSha);
    }

    // The manifest parsed, of this format, listing exactly the artifact's files, each matching its checksum.
    private static JsonObject ReadChecked(string path, Dictionary<string, byte[]> files, ArtifactLoadOptions options)
    {
        if (!files.TryGetValue(ManifestFile, out var manifestBytes))
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"Artifact '{path}' has no {ManifestFile}; it holds [{string.Join(", ", files.Keys)}]. Save artifacts with ModelArtifact.Save.");
        var manifestSha = Sha256(manifestBytes);
        if (options.ExpectedManifestSha256 is { } expected && !string.Equals(expected, manifestSha, StringComparison.OrdinalIgnoreCase))
            throw ArtifactCheckFailure.Create(ArtifactCheck.RegisteredManifest, $"{ManifestFile} in artifact '{path}' has SHA-256 {manifestSha}, but {expected} was recorded when it was registered. The artifact was changed after registration; register it again or restore it.");
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(manifestBytes) as JsonObject ?? throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' is not valid JSON: {e.Message}", e);
        }
        if ((string?)manifest["format"] != Format || (int?)manifest["formatVersion"] != FormatVersion)
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' has format '{manifest["format"]}' version {manifest["formatVersion"]}; expected '{Format}' version {FormatVersion}.");
        var listed = manifest["files"] as JsonObject ?? throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' lacks \"files\".");
        foreach (var name in files.Keys.Where(n => n != ManifestFile && !listed.ContainsKey(n)))
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{name} in artifact '{path}' is not listed in {ManifestFile}; an artifact holds only checksummed files. Remove it or save the artifact again.");
        if (!listed.ContainsKey(ModelFile))
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' does not list {ModelFile}.");
        if (!listed.ContainsKey(WeightsFile) && !listed.ContainsKey(OnnxFile))
            throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{ManifestFile} in artifact '{path}' lists neither {WeightsFile} nor {OnnxFile}; a package holds the weights, the ONNX graph, or both.");
        foreach (var (name, entry) in listed)
        {
            if (!files.TryGetValue(name, out var bytes))
                throw ArtifactCheckFailure.Create(ArtifactCheck.Manifest, $"{name} is missing from artifact '{path}' although {ManifestFile} lists it. Restore the file or the whole artifact.");
            var want = (string?)entry?["sha256"];
            var actual = Sha256(bytes);
            if (!string.Equals(want, actual, StringComparison.OrdinalIgnoreCase))
                throw ArtifactCheckFailure.Create(ArtifactCheck.Checksum, $"{name} in artifact '{path}' has SHA-256 {actual} ({bytes.Length} bytes), but {ManifestFile} records {want} ({entry?["bytes"]} bytes). The file is corrupt or was modified; refusing to load it.");
        }
        return manifest;
    }
}
