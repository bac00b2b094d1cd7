using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Catalog;

public sealed class RunFolderCatalogTests
{
    [Fact]
    public async Task ResolvesAliasesLatestAndTheProductionDefault()
    {
        using var folder = new TestModels.TempFolder();
        using var m1 = TestModels.Tabular(1);
        using var m2 = TestModels.Tabular(2);
        TestModels.WriteRun(Path.Combine(folder.Path, "iris", "1"), m1);
        TestModels.WriteRun(Path.Combine(folder.Path, "iris", "2"), m2);
        var catalog = new RunFolderCatalog(folder.Path);

        Assert.Equal("2", await catalog.ResolveVersion("iris", null, default));
        Assert.Equal("2", await catalog.ResolveVersion("iris", "latest", default));
        catalog.SetAlias("iris", "production", "1");
        Assert.Equal("1", await catalog.ResolveVersion("iris", null, default));
        Assert.Equal("1", await catalog.ResolveVersion("iris", "production", default));
        Assert.Equal("2", await catalog.ResolveVersion("iris", "2", default));
        Assert.Null(await catalog.ResolveVersion("iris", "3", default));
        Assert.Null(await catalog.ResolveVersion("iris", "staging", default));
        var info = Assert.Single(catalog.List());
        Assert.Equal(["1", "2"], info.Versions);
        Assert.Equal("1", info.Aliases["production"]);
    }

    [Fact]
    public async Task ServesASingleRunFolderAsVersionOneAndRejectsPathsAsNames()
    {
        using var folder = new TestModels.TempFolder();
        using var model = TestModels.Tabular(1);
        TestModels.WriteRun(Path.Combine(folder.Path, "iris"), model);
        var catalog = new RunFolderCatalog(folder.Path);

        Assert.Equal("1", await catalog.ResolveVersion("iris", null, default));
        Assert.Null(await catalog.ResolveVersion("..", null, default));
        Assert.Null(await catalog.ResolveVersion("iris", "../iris", default));
        Assert.Null(await catalog.Load("iris", "..", default));
    }

    [Fact]
    public async Task LoadedModelPredictsLikeTheModelThatWasSaved()
    {
        using var folder = new TestModels.TempFolder();
        using var model = TestModels.Tabular(7);
        TestModels.WriteRun(Path.Combine(folder.Path, "iris"), model, new ServingManifest { FeatureNames = ["a", "b", "c", "d"], MaxBatchSize = 5 });
        using var loaded = await new RunFolderCatalog(folder.Path).Load("iris", "1", default);

        Assert.NotNull(loaded);
        Assert.Equal(["a", "b", "c", "d"], loaded.Schema.FeatureNames);
        Assert.Equal(5, loaded.Batching.MaxBatchSize);
        float[] item = [0.1f, -0.4f, 2f, 1f];
        Assert.Equal(TestModels.Reference(model, item), TestModels.Reference(loaded.Model, item));
    }

    [Fact]
    public void AMissingModelsFolderIsAnErrorThatSaysWhatToPass()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => new RunFolderCatalog("/nonexistent/models"));
        Assert.Contains("modelloop train --out", e.Message);
    }
}
