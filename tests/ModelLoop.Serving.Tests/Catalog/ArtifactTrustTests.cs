using System.Net;
using System.Net.Http.Json;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Catalog;

/// <summary>What the server insists on before it serves a version: a trusted signature, encryption, intact run folders.</summary>
public sealed class ArtifactTrustTests
{
    private static readonly ArtifactSigningKey Signer = ArtifactSigningKey.Generate();

    private static async Task<ArtifactCheck?> LoadFails(IModelCatalog catalog, string name, string version)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => (await catalog.Load(name, version, default))?.Dispose());
        return ArtifactCheckFailure.Of(error);
    }

    [Fact]
    public async Task A_run_folder_catalog_requiring_signatures_serves_a_trusted_signed_run_and_refuses_unsigned_and_untrusted_ones()
    {
        using var folder = new TestModels.TempFolder();
        using var model = TestModels.Tabular(1);
        var signed = TestModels.WriteRun(Path.Combine(folder.Path, "iris", "1"), model);
        ModelArtifact.Sign(signed, Signer);
        TestModels.WriteRun(Path.Combine(folder.Path, "iris", "2"), model);
        var strict = new ArtifactLoadOptions { RequireSignature = true, TrustedKeys = [Signer.PublicKey] };

        using (var served = await new RunFolderCatalog(folder.Path) { Verification = strict }.Load("iris", "1", default))
            Assert.NotNull(served);
        Assert.Equal(ArtifactCheck.Signature, await LoadFails(new RunFolderCatalog(folder.Path) { Verification = strict }, "iris", "2"));
        Assert.Equal(ArtifactCheck.TrustedKey, await LoadFails(new RunFolderCatalog(folder.Path) { Verification = strict with { TrustedKeys = [] } }, "iris", "1"));
    }

    [Fact]
    public async Task A_run_whose_artifact_was_replaced_after_training_is_refused_by_its_checksums()
    {
        using var folder = new TestModels.TempFolder();
        using var trained = TestModels.Tabular(1);
        using var other = TestModels.Tabular(2);
        var run = Path.Combine(folder.Path, "iris");
        TestModels.WriteRun(run, trained);
        RunFolderChecksums.Write(run);
        TestModels.WriteRun(run, other); // a consistent artifact of another model, manifest and weights together

        Assert.Equal(ArtifactCheck.RunFolderChecksum, await LoadFails(new RunFolderCatalog(folder.Path), "iris", "1"));
    }

    [Fact]
    public async Task A_registry_catalog_requiring_signatures_checks_them_against_the_registrys_trusted_keys()
    {
        using var host = new RegistryServerHost();
        using var model = TestModels.Tabular(1);
        var artifact = TestModels.WriteRun(Path.Combine(host.Folder, "run"), model);
        host.Registry.Register("iris", artifact, new RegisterOptions { SigningKey = Signer });
        host.Registry.Register("iris", artifact);
        var catalog = new RegistryCatalog(host.Registry) { Verification = new ArtifactLoadOptions { RequireSignature = true } };

        Assert.Equal(ArtifactCheck.TrustedKey, await LoadFails(catalog, "iris", "1"));
        host.Registry.TrustKey(Signer.PublicKey);
        using (var served = await catalog.Load("iris", "1", default))
            Assert.NotNull(served);
        Assert.Equal(ArtifactCheck.Signature, await LoadFails(catalog, "iris", "2"));
    }

    [Fact]
    public async Task A_server_requiring_encryption_answers_503_for_a_plain_model()
    {
        using var server = new ServerHost(new Dictionary<string, string?> { ["Serving:RequireEncryption"] = "true" });
        using var client = server.Client();
        var key = await server.CreateTenant("acme", ["iris"]);
        using var acme = server.Client(key.Key);

        var response = await acme.PostAsJsonAsync("/v1/models/iris/predict", new { inputs = new[] { new[] { 1f, 2f, 3f, 4f } } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
