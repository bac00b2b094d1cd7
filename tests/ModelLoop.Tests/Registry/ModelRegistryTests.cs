using System.Text.Json.Nodes;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Tests.Registry;

public sealed class ModelRegistryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ModelRegistry _registry;

    public ModelRegistryTests() => _registry = new ModelRegistry(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    /// <summary>Saves a small model whose first weight is <paramref name="marker"/>, so versions are told apart by their weights.</summary>
    private string Artifact(string name, float marker, string? runId = null, double accuracy = 0.5)
    {
        using var model = new Sequential(6) { new Dense(3) };
        using (TorchSharp.torch.no_grad())
            model.Network.parameters().First()[0, 0] = marker;
        var path = _folder.File(name);
        ModelArtifact.Save(model, path, new ArtifactMetadata
        {
            Metrics = new Dictionary<string, double> { ["accuracy"] = accuracy },
            Lineage = new ArtifactLineage("data-hash-" + name, runId),
        });
        return path;
    }

    private static float FirstWeight(LoadedArtifact loaded) => loaded.Model.Network.parameters().First()[0, 0].item<float>();

    [Fact]
    public void OpenExistingReadsAnExistingRegistryAndRefusesAMissingOneWithoutCreatingIt()
    {
        _registry.Register("iris", Artifact("a", 1f));
        var missing = _folder.File("nowhere");

        var opened = ModelRegistry.OpenExisting(_registry.Home);
        var error = Assert.Throws<FileNotFoundException>(() => ModelRegistry.OpenExisting(missing));

        Assert.Equal(1, opened.GetVersion("iris", "latest").Version);
        Assert.Contains($"No registry at {missing}", error.Message);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void RegisteringTwiceGivesVersionsOneAndTwoWithTheirLineageAndMetrics()
    {
        var first = _registry.Register("iris", Artifact("a", 1f, runId: "run-a", accuracy: 0.9), new RegisterOptions { Tags = new Dictionary<string, string> { ["team"] = "ml" } });
        var second = _registry.Register("iris", Artifact("b", 2f, runId: "run-b"));

        Assert.Equal((1, 2), (first.Version, second.Version));
        var read = _registry.GetVersion("iris", "1");
        Assert.Equal(("run-a", "data-hash-a", 0.9, "ml"), (read.RunId, read.DatasetManifestHash, read.Metrics["accuracy"], read.Tags["team"]));
        Assert.Equal(2, _registry.GetVersion("iris", "latest").Version);
        Assert.Equal([1, 2], _registry.ListVersions("iris").Select(v => v.Version));
        var listed = Assert.Single(_registry.ListModels());
        Assert.Equal(("iris", 2, 2), (listed.Name, listed.LatestVersion, listed.VersionCount));
    }

    [Fact]
    public void TheRegistryKeepsItsOwnCopySoTheOriginalCanBeDeleted()
    {
        var path = Artifact("a", 7f);
        _registry.Register("m", path);
        Directory.Delete(path, recursive: true);

        using var loaded = _registry.Load("m", "v1");

        Assert.Equal(7f, FirstWeight(loaded));
    }

    [Fact]
    public void AZippedArtifactRegistersAndLoadsLikeAFolder()
    {
        using var model = new Sequential(6) { new Dense(3) };
        using (TorchSharp.torch.no_grad())
            model.Network.parameters().First()[0, 0] = 4f;
        ModelArtifact.Save(model, _folder.File("a.zip"));

        var version = _registry.Register("zipped", _folder.File("a.zip"));
        using var loaded = _registry.Load("zipped", "latest");

        Assert.EndsWith(".zip", version.ArtifactPath);
        Assert.Equal(4f, FirstWeight(loaded));
    }

    [Fact]
    public void AnAliasLoadsTheVersionItPointsToAndMovesWithAPromotion()
    {
        _registry.Register("m", Artifact("a", 1f), new RegisterOptions { Aliases = ["production"] });
        _registry.Register("m", Artifact("b", 2f), new RegisterOptions { Aliases = ["challenger"] });

        using (var production = _registry.Load("m", "production"))
            Assert.Equal(1f, FirstWeight(production));
        _registry.SetAlias("m", "production", 2, reason: "challenger wins", actor: "alice");
        using (var production = _registry.Load("m", "production"))
            Assert.Equal(2f, FirstWeight(production));

        Assert.Equal(["challenger", "production"], _registry.GetVersion("m", 2).Aliases);
        Assert.Equal(2, _registry.GetAliasVersion("m", "production"));
        Assert.Null(_registry.GetAliasVersion("m", "champion"));
    }

    [Fact]
    public void PromotionsAreRecordedWithWhoAndWhyAndRollbacksWalkBackThroughThem()
    {
        for (var i = 1; i <= 3; i++)
            _registry.Register("m", Artifact($"a{i}", i));
        _registry.SetAlias("m", "champion", 1, "first", "alice");
        _registry.SetAlias("m", "champion", 2, "better", "bob");
        _registry.SetAlias("m", "champion", 3, "even better", "carol");

        var back = _registry.Rollback("m", "champion", "v3 regressed in production", "dave");
        var further = _registry.Rollback("m", "champion", "v2 too");

        Assert.Equal((3, 2, AliasChangeKind.Rollback, "dave"), (back.FromVersion, back.ToVersion, back.Kind, back.Actor));
        Assert.Equal(1, further.ToVersion);
        Assert.Equal(1, _registry.GetAliasVersion("m", "champion"));
        var error = Assert.Throws<InvalidOperationException>(() => _registry.Rollback("m", "champion"));
        Assert.Contains("first set to version 1", error.Message);
        var history = _registry.History("m", "champion");
        Assert.Equal([1, 2, 3, 2, 1], history.Select(h => h.ToVersion));
        Assert.Equal(["alice", "bob", "carol", "dave"], history.Take(4).Select(h => h.Actor));
        Assert.Equal("even better", history[2].Reason);
    }

    [Fact]
    public void EveryChangeMovesTheChangeCounterThatAServerPolls()
    {
        var start = _registry.ChangeCounter;
        _registry.Register("m", Artifact("a", 1f));
        var afterRegister = _registry.ChangeCounter;
        _registry.SetAlias("m", "production", 1);
        var afterPromote = _registry.ChangeCounter;
        _registry.SetTag("m", 1, "reviewed", "yes");

        Assert.True(start < afterRegister && afterRegister < afterPromote && afterPromote < _registry.ChangeCounter);
        Assert.Equal(afterPromote + 1, new ModelRegistry(_folder.File("home")).ChangeCounter); // another instance sees the same store
    }

    [Fact]
    public void AnArtifactRewrittenInsideTheRegistryIsRefusedEvenWithAConsistentManifest()
    {
        var version = _registry.Register("m", Artifact("a", 1f));
        var stored = version.ArtifactPath;
        var manifestPath = Path.Combine(stored, ModelArtifact.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["note"] = "edited";
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => _registry.Load("m", "1"));

        Assert.Contains("registration", error.Message);
    }

    [Fact]
    public void UnknownNamesVersionsAndAliasesAreReportedWithWhatExists()
    {
        _registry.Register("m", Artifact("a", 1f), new RegisterOptions { Aliases = ["production"] });

        Assert.Contains("Registered: m", Assert.Throws<KeyNotFoundException>(() => _registry.GetVersion("nope", "1")).Message);
        Assert.Contains("versions 1", Assert.Throws<KeyNotFoundException>(() => _registry.GetVersion("m", "9")).Message);
        Assert.Contains("production", Assert.Throws<KeyNotFoundException>(() => _registry.GetVersion("m", "staging")).Message);
        Assert.Throws<KeyNotFoundException>(() => _registry.SetAlias("m", "production", 9));
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("v2")]
    [InlineData("latest")]
    [InlineData("has space")]
    public void AnAliasThatCouldBeMistakenForSomethingElseIsRefused(string alias)
    {
        _registry.Register("m", Artifact("a", 1f));

        var error = Assert.Throws<ArgumentException>(() => _registry.SetAlias("m", alias, 1));

        Assert.Contains($"'{alias}'", error.Message);
    }

    [Theory]
    [InlineData("production\n")]
    [InlineData("champion\n")]
    public void AnAliasWithATrailingNewlineIsRefused(string alias)
    {
        _registry.Register("m", Artifact("a", 1f));

        Assert.Throws<ArgumentException>(() => _registry.SetAlias("m", alias, 1));
        Assert.Empty(_registry.History("m"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("fashion\n")]
    public void AModelNameThatIsNotAPlainFolderNameIsRefusedBeforeAnythingIsWritten(string name)
    {
        var artifact = Artifact("a", 1f);

        var error = Assert.Throws<ArgumentException>(() => _registry.Register(name, artifact));

        Assert.Contains("not valid", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_registry.Home, "artifacts")) && Directory.EnumerateFileSystemEntries(Path.Combine(_registry.Home, "artifacts")).Any());
    }

    [Fact]
    public void PruningDeletesOnlyCopiesThatNoVersionRefersTo()
    {
        var version = _registry.Register("m", Artifact("a", 1f));
        var orphan = Path.Combine(_registry.Home, "artifacts", "m", ".deadbeef.tmp");
        Directory.CreateDirectory(orphan);
        File.WriteAllText(Path.Combine(orphan, "model.json"), "{}");

        Assert.Equal(0, _registry.PruneOrphanedArtifacts()); // too recent: could be a registration in progress
        Assert.Equal(1, _registry.PruneOrphanedArtifacts(TimeSpan.Zero));

        Assert.False(Directory.Exists(orphan));
        Assert.True(Directory.Exists(version.ArtifactPath));
    }

    [Fact]
    public void ACorruptArtifactIsNotRegistered()
    {
        var path = Artifact("a", 1f);
        File.AppendAllText(Path.Combine(path, ModelArtifact.ModelFile), " ");

        Assert.Throws<InvalidDataException>(() => _registry.Register("m", path));

        Assert.Empty(_registry.ListModels());
        Assert.Equal("ok", _registry.CheckIntegrity());
    }
}
