using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Client.Tests;

/// <summary>The SDK sending raw rows (strings, missing values) to a registry model whose artifact carries its fitted pipeline.</summary>
public sealed class RawRecordsTests : IDisposable
{
    private const string AdminKey = "client-tests-admin-0123456789-abcdefgh";
    private readonly string _folder = Directory.CreateTempSubdirectory("modelloop-client-raw-").FullName;
    private readonly WebApplicationFactory<Serving.Program> _factory;
    private readonly PreprocessingPipeline _pipeline;
    private readonly Sequential _model;

    public RawRecordsTests()
    {
        var rows = Enumerable.Range(0, 30).Select(i => new string?[]
        {
            i % 4 == 0 ? null : (18 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            i % 2 == 0 ? "yes" : "no",
            (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToArray();
        _pipeline = PreprocessingPipeline.Fit(new RawTable(["age", "smoker", "label"], rows), new PreprocessingOptions { LabelColumn = "label" });
        TorchSharp.torch.random.manual_seed(3);
        _model = new Sequential(_pipeline.FeatureCount) { new Dense(6, Activation.Relu), new Dense(3) };
        var artifact = Path.Combine(_folder, "artifact");
        ModelArtifact.Save(_model, artifact, new ArtifactMetadata { Preprocessing = JsonNode.Parse(_pipeline.ToJson()) });
        var home = Path.Combine(_folder, "home");
        new ModelRegistry(home).Register("risk", artifact, new RegisterOptions { Aliases = ["production"] });
        _factory = new WebApplicationFactory<Serving.Program>().WithWebHostBuilder(builder => builder
            .UseSetting("Serving:RegistryHome", home)
            .UseSetting("Serving:DatabasePath", Path.Combine(_folder, "serving.db"))
            .UseSetting("Serving:AdminKey", AdminKey)
            .UseSetting("Serving:TorchThreads", "1"));
    }

    [Fact]
    public async Task RawRowsArePreprocessedOnTheServerAndABadRowNamesItsColumn()
    {
        using var client = new ModelLoopClient(_factory.CreateClient(), AdminKey);
        var metadata = await client.GetModelAsync("risk");
        IReadOnlyDictionary<string, object?>[] rows =
        [
            new Dictionary<string, object?> { ["age"] = 40, ["smoker"] = "yes" },
            new Dictionary<string, object?> { ["age"] = null, ["smoker"] = "no" },
        ];

        var prediction = await client.PredictRawRecordsAsync("risk", rows, returnOutputs: true);
        var bad = await Assert.ThrowsAsync<ModelLoopApiException>(() =>
            client.PredictRawRecordsAsync("risk", [new Dictionary<string, object?> { ["age"] = "old", ["smoker"] = "no" }]));

        Assert.True(metadata.Input.RawRecords);
        Assert.Equal(["age", "smoker"], metadata.Input.FeatureNames);
        Assert.Equal("1", prediction.Version);
        for (var i = 0; i < rows.Length; i++)
        {
            using var features = _pipeline.Transform(rows[i].ToDictionary(p => p.Key, p => p.Value is null ? null : Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)));
            using var output = _model.Predict(features);
            var expected = output.data<float>().ToArray();
            for (var j = 0; j < expected.Length; j++)
                Assert.Equal(expected[j], prediction.Predictions[i].Outputs![j], 4);
            Assert.Equal(Array.IndexOf(expected, expected.Max()).ToString(System.Globalization.CultureInfo.InvariantCulture), prediction.Predictions[i].Label);
        }
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'age'", bad.Detail);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _model.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp folders.
        }
    }
}
