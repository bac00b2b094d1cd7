using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Registry;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Registry;

/// <summary>The registry's trusted keys, signing at registration, and loads that require a signature.</summary>
public sealed class TrustedKeysTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ModelRegistry _registry;
    private readonly ArtifactSigningKey _signer = ArtifactSigningKey.Generate();

    public TrustedKeysTests() => _registry = new ModelRegistry(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    private string Artifact(string name, ArtifactSigningKey? signer = null)
    {
        using var model = new Sequential(6) { new Dense(3) };
        var path = _folder.File(name);
        ModelArtifact.Save(model, path, options: new ArtifactSaveOptions { SigningKey = signer });
        return path;
    }

    private static readonly ArtifactLoadOptions RequireSignature = new() { RequireSignature = true };

    [Fact]
    public void Trusted_keys_are_listed_with_their_name_and_who_added_them_and_can_be_removed()
    {
        _registry.TrustKey(_signer.PublicKey, "ci-release", "alice");

        var listed = Assert.Single(_registry.ListTrustedKeys());
        Assert.Equal((_signer.Id, "ci-release", "alice"), (listed.KeyId, listed.Name, listed.AddedBy));
        Assert.Equal(_signer.Id, Assert.Single(ModelRegistry.ReadTrustedKeys(_registry.Home)).Id);

        _registry.RemoveTrustedKey(_signer.Id);
        Assert.Empty(_registry.ListTrustedKeys());
        var error = Assert.Throws<KeyNotFoundException>(() => _registry.RemoveTrustedKey(_signer.Id));
        Assert.Contains(_signer.Id, error.Message);
    }

    [Fact]
    public void A_version_signed_at_registration_loads_under_a_required_signature_once_its_key_is_trusted()
    {
        var version = _registry.Register("iris", Artifact("a"), new RegisterOptions { SigningKey = _signer });

        var untrusted = Assert.Throws<InvalidDataException>(() => _registry.Load("iris", "1", RequireSignature));
        _registry.TrustKey(_signer.PublicKey);
        using var loaded = _registry.Load("iris", "1", RequireSignature);

        Assert.Equal(ArtifactCheck.TrustedKey, ArtifactCheckFailure.Of(untrusted));
        Assert.Equal(version.ManifestSha256, loaded.ManifestSha256);
        Assert.Equal(ArtifactCheck.Signature, ArtifactCheckFailure.Of(Assert.Throws<InvalidDataException>(() =>
            ModelArtifact.Load(_folder.File("a"), new ArtifactLoadOptions { RequireSignature = true, TrustedKeys = [_signer.PublicKey] })))); // the source stays unsigned
    }

    [Fact]
    public void A_removed_key_no_longer_passes_a_required_signature()
    {
        _registry.TrustKey(_signer.PublicKey);
        _registry.Register("iris", Artifact("a", _signer));
        using (_registry.Load("iris", "1", RequireSignature)) { }

        _registry.RemoveTrustedKey(_signer.Id);

        Assert.Equal(ArtifactCheck.TrustedKey, ArtifactCheckFailure.Of(Assert.Throws<InvalidDataException>(() => _registry.Load("iris", "1", RequireSignature))));
    }

    [Fact]
    public void Registering_with_a_required_signature_refuses_an_unsigned_artifact_and_keeps_no_version()
    {
        _registry.TrustKey(_signer.PublicKey);

        var error = Assert.Throws<InvalidDataException>(() => _registry.Register("iris", Artifact("a"), new RegisterOptions { RequireSignature = true }));

        Assert.Equal(ArtifactCheck.Signature, ArtifactCheckFailure.Of(error));
        Assert.Empty(_registry.ListModels());
        Assert.Equal(1, _registry.Register("iris", Artifact("b", _signer), new RegisterOptions { RequireSignature = true }).Version);
    }
}
