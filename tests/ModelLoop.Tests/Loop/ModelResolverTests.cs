using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

public sealed class ModelResolverTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private TrainingResult Train(string name, int epochs, string? register = null) => TrainingJob.Run(new TrainingConfig
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [8] },
        Data = new DataConfig { Source = Path.Exists(_folder.File("mixed.csv")) ? _folder.File("mixed.csv") : LoopData.MixedCsv(_folder.Path), Label = "label" },
        Epochs = epochs,
        BatchSize = 32,
        Seed = 1,
    }, new TrainingJobOptions { OutputDirectory = _folder.File(name), Home = _folder.File("home"), Progress = ProgressMode.Silent, RegisterAs = register });

    [Fact]
    public void ARunFolderAPackageFolderAndARegistryReferenceResolveToTheSamePackage()
    {
        var run = Train("run", 2, register: "mixed");

        using var fromRun = ModelResolver.Resolve(_folder.File("run"));
        using var fromPackage = ModelResolver.Resolve(run.PackagePath);
        using var fromRegistry = ModelResolver.Resolve("mixed:1", _folder.File("home"));

        Assert.Equal(run.PackageSha256, fromRun.Package.ManifestSha256);
        Assert.Equal(run.PackageSha256, fromPackage.Package.ManifestSha256);
        Assert.Equal(run.PackageSha256, fromRegistry.Package.ManifestSha256);
        Assert.Equal(2, fromRun.History.Count);
        Assert.Equal(2, fromRegistry.History.Count);
        Assert.Equal(Path.Combine(_folder.File("run"), "eval"), fromRun.DefaultReportFolder);
    }

    [Fact]
    public void NoVersionMeansProductionWhenSetElseTheNewest()
    {
        Train("v1", 1, register: "mixed");
        Train("v2", 1, register: "mixed");
        var registry = new ModelRegistry(_folder.File("home"));

        using (var newest = ModelResolver.Resolve("mixed", _folder.File("home")))
            Assert.Equal(2, newest.RegistryVersion!.Version);
        registry.SetAlias("mixed", ModelRegistry.DefaultAlias, 1);
        using (var production = ModelResolver.Resolve("mixed", _folder.File("home")))
            Assert.Equal(1, production.RegistryVersion!.Version);
        Assert.Equal(1, registry.GetDefaultVersion("mixed").Version);
    }

    [Fact]
    public void AnythingElseIsAnErrorThatListsTheAcceptedForms()
    {
        Directory.CreateDirectory(_folder.File("empty"));

        var folder = Assert.Throws<DirectoryNotFoundException>(() => ModelResolver.Resolve(_folder.File("empty")));
        var name = Assert.Throws<DirectoryNotFoundException>(() => ModelResolver.Resolve("nope:3", _folder.File("no-home")));

        Assert.Contains("artifact/manifest.json", folder.Message);
        Assert.Contains("NAME[:VERSION|ALIAS]", name.Message);
    }
}
