using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Catalog;

public sealed class RegistryCatalogTests
{
    [Fact]
    public async Task ListsRegisteredModelsAndResolvesProductionElseLatest()
    {
        using var host = new RegistryServerHost();
        using var m1 = TestModels.Tabular(1);
        using var m2 = TestModels.Tabular(2);
        host.Register("iris", m1);
        host.Register("iris", m2);
        var catalog = new RegistryCatalog(host.Registry);

        Assert.Equal("2", await catalog.ResolveVersion("iris", null, default)); // not promoted yet: the newest
        host.Registry.SetAlias("iris", "production", 1);
        Assert.Equal("1", await catalog.ResolveVersion("iris", null, default));
        Assert.Equal("1", await catalog.ResolveVersion("iris", "production", default));
        Assert.Equal("2", await catalog.ResolveVersion("iris", "latest", default));
        Assert.Equal("2", await catalog.ResolveVersion("iris", "v2", default));
        Assert.Null(await catalog.ResolveVersion("iris", "3", default));
        Assert.Null(await catalog.ResolveVersion("iris", "staging", default));
        Assert.Null(await catalog.ResolveVersion("nope", null, default));
        Assert.Null(await catalog.ResolveVersion("../iris", null, default));
        var info = Assert.Single(catalog.List());
        Assert.Equal(["1", "2"], info.Versions);
        Assert.Equal("1", info.Aliases["production"]);
        Assert.Equal("2", info.Aliases["latest"]);
    }

    [Fact]
    public async Task TheChangeStampMovesWithAPromotionAndNotWithReads()
    {
        using var host = new RegistryServerHost();
        using var m1 = TestModels.Tabular(1);
        host.Register("iris", m1);
        var catalog = new RegistryCatalog(host.Registry);

        var before = await catalog.GetChangeStamp(default);
        await catalog.ResolveVersion("iris", null, default);
        Assert.Equal(before, await catalog.GetChangeStamp(default));
        host.Registry.SetAlias("iris", "production", 1);
        Assert.NotEqual(before, await catalog.GetChangeStamp(default));
    }

    [Fact]
    public async Task LoadsAVerifiedVersionWithTheArtifactsPipelineAsARecordEncoder()
    {
        using var host = new RegistryServerHost();
        var (_, pipeline) = RegistryServerHost.Patients();
        using var model = new Sequential(pipeline.FeatureCount) { new Dense(4, Activation.Relu), new Dense(2) };
        host.Register("patients", model, pipeline);
        var catalog = new RegistryCatalog(host.Registry);

        using var servable = (await catalog.Load("patients", "1", default))!;

        Assert.True(servable.Schema.RawRecords);
        Assert.Equal(["age", "color", "dose"], servable.Schema.FeatureNames);
        Assert.Equal([(long)pipeline.FeatureCount], servable.Schema.Shape);
        using var record = System.Text.Json.JsonDocument.Parse("""{ "age": 30, "color": "blue", "dose": null }""");
        using var expected = pipeline.Transform(record.RootElement);
        Assert.Equal(expected.data<float>().ToArray(), servable.RecordEncoder!(record.RootElement));
        Assert.Null(await catalog.Load("patients", "2", default));
        Assert.Null(await catalog.Load("nope", "1", default));
    }

    [Fact]
    public async Task AnImagePipelineNormalizesPixelsScaledToOneLikeTheTrainingImages()
    {
        using var host = new RegistryServerHost();
        TorchSharp.torch.random.manual_seed(9);
        using var images = TorchSharp.torch.randint(0, 256, [16, 1, 8, 8], TorchSharp.torch.ScalarType.Byte);
        var pipeline = Data.Preprocessing.PreprocessingPipeline.FitImages(images);
        using var model = TestModels.Image(3);
        host.Register("digits", model, pipeline);

        using var servable = (await new RegistryCatalog(host.Registry).Load("digits", "1", default))!;
        var pixels = images[0].flatten().data<byte>().ToArray();
        var served = servable.Preprocess!(pixels.Select(b => b / 255f).ToArray()); // what the API hands over for a raw image
        using var expected = pipeline.TransformImages(images[..1]);

        Assert.Null(servable.RecordEncoder);
        Assert.False(servable.Schema.RawRecords);
        var reference = expected.flatten().data<float>().ToArray();
        for (var i = 0; i < reference.Length; i++)
            Assert.Equal(reference[i], served[i], 4);
    }

    [Fact]
    public async Task AnArtifactChangedAfterRegistrationIsRefusedWhenLoaded()
    {
        using var host = new RegistryServerHost();
        using var m1 = TestModels.Tabular(1);
        var version = host.Register("iris", m1);
        var weights = Path.Combine(version.ArtifactPath, ModelLoop.Artifacts.ModelArtifact.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new RegistryCatalog(host.Registry).Load("iris", "1", default));
        Assert.Contains(ModelLoop.Artifacts.ModelArtifact.WeightsFile, error.Message);
    }
}
