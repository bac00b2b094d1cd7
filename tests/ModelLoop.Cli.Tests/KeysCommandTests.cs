using ModelLoop.Artifacts;
using ModelLoop.Cli.Commands;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Serving;
using static ModelLoop.Cli.Tests.RegistryCommandsTests;

namespace ModelLoop.Cli.Tests;

/// <summary>keys generate → train --sign-key → keys trust → serve --models --require-signature.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-keys-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    private string Home => Out("home");

    private int Train(string run, params string[] extra)
    {
        File.WriteAllLines(Out("small.csv"), File.ReadAllLines(ShippedDatasets.Find("breast_cancer.csv")).Take(120));
        return CliApp.Run(["train", "--model", "mlp", "--data", Out("small.csv"), "--epochs", "1", "--seed", "1", "--threads", "1", "--device", "cpu",
            "--no-track", "--out", Out(run), "--home", Home, .. extra]);
    }

    private async Task<IReadOnlyList<ModelWarmUp>> WarmUp(bool requireSignature)
    {
        await using var app = ServeCommand.BuildApp(new ServeCommand.Settings(Out("models"), "http://127.0.0.1:0", Out("serving.db"), null, NoKeys: true, 8, 1, 64, 1)
        {
            Home = Home,
            Verification = new ArtifactLoadOptions { RequireSignature = requireSignature },
        });
        return await app.WarmUpAsync();
    }

    [Fact]
    public async Task A_run_signed_at_training_is_served_under_require_signature_once_its_key_is_trusted()
    {
        var (generated, output) = Capture("keys", "generate", Out("signing.pem"));
        Assert.Equal(0, generated);
        var keyId = ArtifactSigningKey.FromPemFile(Out("signing.pem")).Id;
        Assert.Contains(keyId, output);
        Assert.Equal(0, Train("models/signed", "--sign-key", Out("signing.pem")));
        Assert.Equal(0, Train("models/unsigned"));
        new ModelRegistry(Home).ListModels(); // an empty registry: no trusted keys yet

        var untrusted = await WarmUp(requireSignature: true);
        var (trusted, _) = Capture("keys", "trust", Out("signing.pub.pem"), "--name", "ci", "--home", Home);
        var (listed, list) = Capture("keys", "list", "--home", Home);
        var served = await WarmUp(requireSignature: true);

        Assert.Equal((0, 0), (trusted, listed));
        Assert.Contains(keyId, list);
        Assert.Contains("ci", list);
        Assert.All(untrusted, m => Assert.NotNull(m.Problem));
        Assert.Contains("Trusted-key check failed", untrusted.Single(m => m.Name == "signed").Problem);
        Assert.Null(served.Single(m => m.Name == "signed").Problem);
        Assert.Contains("Signature check failed", served.Single(m => m.Name == "unsigned").Problem);
        Assert.True(RunFolderChecksums.Verify(Out("models/signed")));
    }

    [Fact]
    public void Signing_a_run_folders_artifact_keeps_its_checksums_valid_and_registering_can_sign_the_copy()
    {
        Assert.Equal(0, Capture("keys", "generate", Out("signing.pem")).Exit);
        Assert.Equal(0, Train("run"));

        var (signed, _) = Capture("models", "sign", Out("run/artifact"), "--sign-key", Out("signing.pem"));
        var (registered, _) = Capture("models", "register", "cancer", Out("run/artifact"), "--require-signature", "--home", Home);
        Assert.Equal(0, Capture("keys", "trust", Out("signing.pub.pem"), "--home", Home).Exit);
        var (registeredTrusted, _) = Capture("models", "register", "cancer", Out("run/artifact"), "--require-signature", "--home", Home);

        Assert.Equal(0, signed);
        Assert.True(RunFolderChecksums.Verify(Out("run")));
        Assert.Equal(2, registered); // the key is not trusted yet: refused as a user error
        Assert.Equal(0, registeredTrusted);
        using var loaded = new ModelRegistry(Home).Load("cancer", "1", new ArtifactLoadOptions { RequireSignature = true });
    }
}
