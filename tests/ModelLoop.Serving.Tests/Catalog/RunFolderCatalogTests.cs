using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
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
    public async Task LoadedModelPredictsLikeTheModelThatWasSavedWithTheCatalogsBatching()
    {
        using var folder = new TestModels.TempFolder();
        using var model = TestModels.Tabular(7);
        TestModels.WriteRun(Path.Combine(folder.Path, "iris"), model, ["a", "b", "c", "d"], ["x", "y", "z"]);
        using var loaded = await new RunFolderCatalog(folder.Path, new BatchingOptions { MaxBatchSize = 5 }).Load("iris", "1", default);

        Assert.NotNull(loaded);
        Assert.Equal(["a", "b", "c", "d"], loaded.Schema.FeatureNames);
        Assert.Equal(5, loaded.Batching.MaxBatchSize);
        Assert.Equal(ModelTask.Classification, loaded.Task);
        Assert.Equal(["x", "y", "z"], loaded.ClassNames);
        float[] item = [0.1f, -0.4f, 2f, 1f];
        Assert.Equal(TestModels.Reference(model, item), TestModels.Reference(loaded.Model, item));
    }

    [Fact]
    public async Task AnArtifactFolderItselfIsServedAsARunFolder()
    {
        using var folder = new TestModels.TempFolder();
        using var model = TestModels.Tabular(7);
        ModelArtifact.Save(model, Path.Combine(folder.Path, "iris"));

        using var loaded = await new RunFolderCatalog(folder.Path).Load("iris", "1", default);

        Assert.NotNull(loaded);
        Assert.Equal(["iris"], new RunFolderCatalog(folder.Path).List().Select(m => m.Name));
    }

    [Fact]
    public async Task AFolderWithTheOldModelJsonAndWeightsBinIsNotARunFolder()
    {
        using var folder = new TestModels.TempFolder();
        using var model = TestModels.Tabular(7);
        var run = Directory.CreateDirectory(Path.Combine(folder.Path, "iris")).FullName;
        model.ToSpec().Save(Path.Combine(run, "model.json"));
        model.SaveWeights(Path.Combine(run, "weights.bin"));
        var catalog = new RunFolderCatalog(folder.Path);

        Assert.Empty(catalog.List());
        Assert.Null(await catalog.Load("iris", "1", default));
    }

    [Fact]
    public async Task RawRecordsWithACategoricalColumnGiveWhatThePipelineAndTheModelGive()
    {
        using var folder = new TestModels.TempFolder();
        var (_, pipeline) = RegistryServerHost.Patients();
        Assert.Contains(pipeline.Columns, c => c is Data.Preprocessing.CategoricalColumn);
        TorchSharp.torch.random.manual_seed(8);
        using var model = new Sequential(pipeline.FeatureCount) { new Dense(6, Activation.Relu), new Dense(2) };
        TestModels.WriteRun(Path.Combine(folder.Path, "patients"), model, pipeline: pipeline);
        var catalog = new RunFolderCatalog(folder.Path);
        using var servable = (await catalog.Load("patients", "1", default))!;
        await using var host = new Serving.Batching.ModelHost(catalog, Microsoft.Extensions.Logging.Abstractions.NullLogger<Serving.Batching.ModelHost>.Instance);
        const string body = """{ "records": [{ "age": 30, "color": "blue", "dose": null }, { "age": "41", "color": "red", "dose": 2.25 }, { "age": 22, "color": "green", "dose": "1.75" }] }""";
        using var document = JsonDocument.Parse(body);

        var (_, _, outcome, _) = await host.Enqueue("patients", null, m => Serving.Api.PredictInput.Parse(document.RootElement, m, 16), default);
        var outputs = (await outcome!).Outputs;

        Assert.True(servable.Schema.RawRecords);
        Assert.Equal(["age", "color", "dose"], servable.Schema.FeatureNames);
        var records = document.RootElement.GetProperty("records").EnumerateArray().ToArray();
        for (var i = 0; i < records.Length; i++)
        {
            using var features = pipeline.Transform(records[i]);
            var expected = TestModels.Reference(model, features.data<float>().ToArray());
            for (var j = 0; j < 2; j++)
                Assert.Equal(expected[j], outputs[i * 2 + j], 5);
        }
    }

    [Fact]
    public void AMissingModelsFolderIsAnErrorThatSaysWhatToPass()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => new RunFolderCatalog("/nonexistent/models"));
        Assert.Contains("modelloop train --out", e.Message);
    }
}
