using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Artifacts;

/// <summary>Signed and encrypted artifacts: each kind of tampering is refused by the check that catches it, named in the error.</summary>
public sealed class ArtifactSigningTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ArtifactSigningKey _signer = ArtifactSigningKey.Generate();
    private readonly ArtifactEncryptionKey _key = ArtifactEncryptionKey.Generate();

    public void Dispose() => _folder.Dispose();

    private static Sequential SmallModel(int seed = 1)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return new Sequential(4) { new Dense(5, Activation.Relu), new Dense(3) };
    }

    private string Save(string name, bool sign = true, bool encrypt = true, int seed = 1)
    {
        using var model = SmallModel(seed);
        var path = _folder.File(name);
        ModelArtifact.Save(model, path, options: new ArtifactSaveOptions { SigningKey = sign ? _signer : null, EncryptionKey = encrypt ? _key : null });
        return path;
    }

    private ArtifactLoadOptions Strict(params ArtifactPublicKey[] trusted) => new()
    {
        EncryptionKey = _key,
        TrustedKeys = trusted.Length == 0 ? [_signer.PublicKey] : trusted,
        RequireSignature = true,
        RequireEncryption = true,
    };

    private static JsonObject Manifest(string path) => JsonNode.Parse(File.ReadAllText(Path.Combine(path, ModelArtifact.ManifestFile)))!.AsObject();

    private static void WriteManifest(string path, JsonObject manifest) => File.WriteAllText(Path.Combine(path, ModelArtifact.ManifestFile), manifest.ToJsonString());

    // What someone who can write the folder but holds no key can do: change a file and record its new checksum.
    private static void ReplaceWithMatchingChecksum(string path, string file, byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(path, file), bytes);
        var manifest = Manifest(path);
        manifest["files"]![file]!["sha256"] = ModelArtifact.Sha256(bytes);
        manifest["files"]![file]!["bytes"] = bytes.LongLength;
        WriteManifest(path, manifest);
    }

    private static InvalidDataException Refused(ArtifactCheck check, Action load)
    {
        var error = Assert.Throws<InvalidDataException>(load);
        Assert.Equal(check, ArtifactCheckFailure.Of(error));
        Assert.StartsWith($"{ArtifactCheckFailure.Describe(check)} check failed:", error.Message);
        return error;
    }

    [Fact]
    public void A_signed_encrypted_artifact_with_a_trusted_key_loads_when_everything_is_required()
    {
        using var model = SmallModel();
        using var inputs = TorchSharp.torch.randn(5, 4);
        var path = _folder.File("a");
        ModelArtifact.Save(model, path, options: new ArtifactSaveOptions { SigningKey = _signer, EncryptionKey = _key });

        using var loaded = ModelArtifact.Load(path, Strict());

        Assert.Equal(ArtifactFixtures.PredictionBytes(model, inputs), ArtifactFixtures.PredictionBytes(loaded.Model, inputs));
        Assert.Equal(_signer.Id, (string?)Manifest(path)["signature"]!["keyId"]);
    }

    [Fact]
    public void A_tampered_weight_is_refused_by_the_checksum_check()
    {
        var path = Save("a", encrypt: false);
        var weights = Path.Combine(path, ModelArtifact.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(weights, bytes);

        var error = Refused(ArtifactCheck.Checksum, () => ModelArtifact.Load(path, Strict() with { RequireEncryption = false }));
        Assert.Contains(ModelArtifact.WeightsFile, error.Message);
    }

    [Fact]
    public void A_tampered_weight_with_a_rewritten_checksum_is_refused_by_the_signature_check()
    {
        var path = Save("a", encrypt: false);
        var bytes = File.ReadAllBytes(Path.Combine(path, ModelArtifact.WeightsFile));
        bytes[^1] ^= 0x40;
        ReplaceWithMatchingChecksum(path, ModelArtifact.WeightsFile, bytes);

        var error = Refused(ArtifactCheck.Signature, () => ModelArtifact.Load(path, Strict() with { RequireEncryption = false }));
        Assert.Contains(_signer.Id, error.Message);
    }

    [Fact]
    public void A_stripped_encryption_block_is_refused_by_the_encryption_check()
    {
        var path = Save("a", sign: false);
        var manifest = Manifest(path);
        manifest.Remove("encryption");
        WriteManifest(path, manifest);

        var error = Refused(ArtifactCheck.Encryption, () => ModelArtifact.Load(path));
        Assert.Contains("\"encryption\" block", error.Message);
    }

    [Fact]
    public void A_stripped_encryption_block_of_a_signed_artifact_is_refused_by_the_signature_check()
    {
        var path = Save("a");
        var manifest = Manifest(path);
        manifest.Remove("encryption");
        WriteManifest(path, manifest);

        Refused(ArtifactCheck.Signature, () => ModelArtifact.Load(path, Strict()));
    }

    [Fact]
    public void A_plain_artifact_is_refused_by_the_encryption_check_when_encryption_is_required()
    {
        var path = Save("a", encrypt: false);

        var error = Refused(ArtifactCheck.Encryption, () => ModelArtifact.Load(path, Strict()));
        Assert.Contains("--require-encryption", error.Message);
    }

    [Fact]
    public void A_file_swapped_between_two_artifacts_with_the_same_key_is_refused_by_the_authenticated_data_check()
    {
        var first = Save("first", sign: false, seed: 1);
        var second = Save("second", sign: false, seed: 2);
        ReplaceWithMatchingChecksum(second, ModelArtifact.WeightsFile, File.ReadAllBytes(Path.Combine(first, ModelArtifact.WeightsFile)));

        var error = Refused(ArtifactCheck.AuthenticatedData, () => ModelArtifact.Load(second, new ArtifactLoadOptions { EncryptionKey = _key }));
        Assert.Contains(ModelArtifact.WeightsFile, error.Message);
        using var intact = ModelArtifact.Load(first, new ArtifactLoadOptions { EncryptionKey = _key });
    }

    [Fact]
    public void A_file_renamed_within_an_artifact_is_refused_by_the_authenticated_data_check()
    {
        var path = Save("a", sign: false);
        var model = File.ReadAllBytes(Path.Combine(path, ModelArtifact.ModelFile));
        ReplaceWithMatchingChecksum(path, ModelArtifact.ModelFile, File.ReadAllBytes(Path.Combine(path, ModelArtifact.WeightsFile)));
        ReplaceWithMatchingChecksum(path, ModelArtifact.WeightsFile, model);

        Refused(ArtifactCheck.AuthenticatedData, () => ModelArtifact.Load(path, new ArtifactLoadOptions { EncryptionKey = _key }));
    }

    [Fact]
    public void An_unsigned_artifact_is_refused_by_the_signature_check_when_a_signature_is_required()
    {
        var path = Save("a", sign: false);

        var error = Refused(ArtifactCheck.Signature, () => ModelArtifact.Load(path, Strict()));
        Assert.Contains("not signed", error.Message);
        using var loaded = ModelArtifact.Load(path, Strict() with { RequireSignature = false });
    }

    [Fact]
    public void A_signed_artifact_with_an_untrusted_key_is_refused_by_the_trusted_key_check()
    {
        var path = Save("a");
        var other = ArtifactSigningKey.Generate();

        var error = Refused(ArtifactCheck.TrustedKey, () => ModelArtifact.Load(path, Strict(other.PublicKey)));
        Assert.Contains(_signer.Id, error.Message);
        Assert.Contains(other.Id, error.Message);
    }

    [Fact]
    public void A_signature_replaced_by_an_untrusted_signer_over_a_rewritten_manifest_is_refused()
    {
        // The manifest claims another signer: whoever can write the folder cannot make an untrusted key trusted.
        var path = Save("a");
        var forger = ArtifactSigningKey.Generate();
        var manifest = Manifest(path);
        manifest["signature"]!["keyId"] = forger.Id;
        WriteManifest(path, manifest);

        Refused(ArtifactCheck.TrustedKey, () => ModelArtifact.Load(path, Strict()));
    }

    [Fact]
    public void Signing_an_existing_artifact_makes_it_pass_a_required_signature_and_changes_its_manifest_hash()
    {
        var path = Save("a", sign: false);
        var before = ModelArtifact.VerifyFiles(path, new ArtifactLoadOptions { EncryptionKey = _key });

        var after = ModelArtifact.Sign(path, _signer);

        Assert.NotEqual(before, after);
        Assert.Equal(after, ModelArtifact.VerifyFiles(path, Strict()));
    }

    [Fact]
    public void A_zip_artifact_is_signed_and_verified_like_a_folder()
    {
        var path = Save("a.zip");

        using var loaded = ModelArtifact.Load(path, Strict());

        Refused(ArtifactCheck.TrustedKey, () => ModelArtifact.Load(path, Strict(ArtifactSigningKey.Generate().PublicKey)));
    }
}
