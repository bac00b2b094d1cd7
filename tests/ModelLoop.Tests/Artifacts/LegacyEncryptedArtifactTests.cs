using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Artifacts;

/// <summary>
/// Artifacts encrypted before files were bound to their artifact (cipher version 1: the file name alone was the associated
/// data) still load; such a file put into a newer artifact is refused.
/// </summary>
public sealed class LegacyEncryptedArtifactTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ArtifactEncryptionKey _key = ArtifactEncryptionKey.Generate();

    public void Dispose() => _folder.Dispose();

    // Rewrites every file of a new artifact the way version 1 wrote it: "MLAE", 1, nonce, tag, ciphertext, the name as associated data.
    private string LegacyArtifact(bool keepArtifactId)
    {
        using var model = new Sequential(4) { new Dense(3) };
        var path = _folder.File("legacy");
        ModelArtifact.Save(model, path, options: new ArtifactSaveOptions { EncryptionKey = _key });
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(path, ModelArtifact.ManifestFile)))!.AsObject();
        var artifactId = (string)manifest["encryption"]!["artifactId"]!;
        foreach (var (name, entry) in manifest["files"]!.AsObject())
        {
            var plain = ArtifactCipher.Decrypt(_key, artifactId, name, File.ReadAllBytes(Path.Combine(path, name)), path);
            var stored = new byte[33 + plain.Length];
            "MLAE"u8.CopyTo(stored);
            stored[4] = 1;
            RandomNumberGenerator.Fill(stored.AsSpan(5, 12));
            using (var aes = new AesGcm(_key.Bytes, 16))
                aes.Encrypt(stored.AsSpan(5, 12), plain, stored.AsSpan(33), stored.AsSpan(17, 16), Encoding.UTF8.GetBytes(name));
            File.WriteAllBytes(Path.Combine(path, name), stored);
            entry!["sha256"] = ModelArtifact.Sha256(stored);
            entry["bytes"] = stored.LongLength;
        }
        if (!keepArtifactId)
            manifest["encryption"]!.AsObject().Remove("artifactId");
        File.WriteAllText(Path.Combine(path, ModelArtifact.ManifestFile), manifest.ToJsonString());
        return path;
    }

    [Fact]
    public void An_artifact_encrypted_before_files_were_bound_to_it_still_loads()
    {
        using var loaded = ModelArtifact.Load(LegacyArtifact(keepArtifactId: false), new ArtifactLoadOptions { EncryptionKey = _key });

        Assert.Equal([3L], loaded.Model.OutputShape.ToArray());
    }

    [Fact]
    public void An_unbound_file_inside_an_artifact_that_binds_its_files_is_refused_by_the_authenticated_data_check()
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelArtifact.Load(LegacyArtifact(keepArtifactId: true), new ArtifactLoadOptions { EncryptionKey = _key }));

        Assert.Equal(ArtifactCheck.AuthenticatedData, ArtifactCheckFailure.Of(error));
    }
}
