using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Contracts;
using ModelLoop.Serving.Catalog;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>Serving from the registry: raw rows through the artifact's fitted pipeline, and artifacts that cannot be loaded.</summary>
public sealed class RegistryServingTests
{
    [Fact]
    public async Task RawRecordsWithStringsAndMissingValuesArePreprocessedLikeTraining()
    {
        using var host = new RegistryServerHost();
        var (_, pipeline) = RegistryServerHost.Patients();
        TorchSharp.torch.random.manual_seed(5);
        var model = host.Own(new Sequential(pipeline.FeatureCount) { new Dense(8, Activation.Relu), new Dense(2) });
        host.Register("patients", model, pipeline);
        using var client = host.Client();
        const string records = """{ "records": [{ "age": 30, "color": "blue", "dose": null }, { "age": "41", "color": "red", "dose": 2.25, "outcome": 1 }] }""";

        var response = await client.PostAsync("/v1/models/patients/predict?outputs=raw", new StringContent(records, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        using var sent = JsonDocument.Parse(records);
        var items = sent.RootElement.GetProperty("records").EnumerateArray().ToArray();
        for (var i = 0; i < items.Length; i++)
        {
            using var features = pipeline.Transform(items[i]);
            var expected = TestModels.Reference(model, features.data<float>().ToArray());
            for (var j = 0; j < 2; j++)
                Assert.Equal(expected[j], body.Predictions[i].Outputs![j], 4);
        }
    }

    [Theory]
    [InlineData("""{ "record": { "age": 30, "color": "red", "dose": "lots" } }""", "dose")]
    [InlineData("""{ "record": { "age": 30, "dose": 1 } }""", "color")]
    [InlineData("""{ "record": { "age": "thirty", "color": "red", "dose": 1 } }""", "age")]
    [InlineData("""{ "records": [{ "age": 30, "color": "red", "dose": 1, "weight": 70 }] }""", "weight")]
    [InlineData("""{ "record": { "age": 30, "color": ["red"], "dose": 1 } }""", "color")]
    [InlineData("""{ "inputs": [[1, 0, 0, 1, 0]] }""", "records")]
    [InlineData("""{ "records": [7] }""", "records[0]")]
    public async Task ARecordThePipelineCannotReadIsA400NamingTheColumn(string body, string named)
    {
        using var host = new RegistryServerHost();
        var (_, pipeline) = RegistryServerHost.Patients();
        var model = host.Own(new Sequential(pipeline.FeatureCount) { new Dense(2) });
        host.Register("patients", model, pipeline);
        using var client = host.Client();

        var response = await client.PostAsync("/v1/models/patients/predict", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains(named, detail);
    }

    [Fact]
    public async Task AnUnseenCategoryUnderTheErrorPolicyIsA400NamingTheColumnAndTheKnownCategories()
    {
        using var host = new RegistryServerHost();
        var (table, _) = RegistryServerHost.Patients();
        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "outcome", UnknownCategories = UnknownCategoryPolicy.Error });
        var model = host.Own(new Sequential(pipeline.FeatureCount) { new Dense(2) });
        host.Register("patients", model, pipeline);
        using var client = host.Client();

        var response = await client.PostAsync("/v1/models/patients/predict",
            new StringContent("""{ "record": { "age": 30, "color": "purple", "dose": 1 } }""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("Column 'color': 'purple' is not a category seen in training", detail);
        Assert.Contains("'blue', 'green', 'red'", detail);
    }

    [Fact]
    public async Task TheModelsMetadataListsTheRawColumnsAndSaysRecordsAreRaw()
    {
        using var host = new RegistryServerHost();
        var (_, pipeline) = RegistryServerHost.Patients();
        var model = host.Own(new Sequential(pipeline.FeatureCount) { new Dense(2) });
        host.Register("patients", model, pipeline);
        using var client = host.Client();

        var metadata = (await client.GetFromJsonAsync<JsonElement>("/v1/models/patients"))!;

        var input = metadata.GetProperty("input");
        Assert.True(input.GetProperty("rawRecords").GetBoolean());
        Assert.Equal(["age", "color", "dose"], input.GetProperty("featureNames").EnumerateArray().Select(e => e.GetString()!));
        Assert.Contains("\"records\"", metadata.GetProperty("exampleRequest").GetString());
    }

    [Fact]
    public async Task AnEncryptedArtifactWithoutItsKeyIs503ForThatModelOnlyAndServedWithIt()
    {
        Assert.Null(ArtifactEncryptionKey.FromEnvironment()); // the test process must not hold a key of its own
        var key = ArtifactEncryptionKey.Generate();
        using var wrongKey = new RegistryServerHost(catalog: registry => new RegistryCatalog(registry, encryptionKey: ArtifactEncryptionKey.Generate()));
        var secret = wrongKey.Own(TestModels.Tabular(1));
        wrongKey.Register("secret", secret, key: key);
        wrongKey.Register("plain", wrongKey.Own(TestModels.Tabular(2)));
        var input = new { inputs = new[] { new[] { 1f, 2f, 3f, 4f } } };

        using (var client = wrongKey.Client())
        {
            var wrong = await client.PostAsJsonAsync("/v1/models/secret/predict", input);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, wrong.StatusCode);
            Assert.Contains("request id", await Detail(wrong)); // the cause (which key) is the server log's, not the client's
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/models/plain/predict", input)).StatusCode);
        }
        using var noKey = new RegistryServerHost(catalog: _ => new RegistryCatalog(new ModelRegistry(wrongKey.Home)));
        using (var client = noKey.Client())
        {
            var none = await client.PostAsJsonAsync("/v1/models/secret/predict", input);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
            Assert.DoesNotContain(ArtifactEncryptionKey.EnvironmentVariable, await Detail(none));
        }
        using var rightKey = new RegistryServerHost(catalog: _ => new RegistryCatalog(new ModelRegistry(wrongKey.Home), encryptionKey: key));
        using (var client = rightKey.Client())
        {
            var served = await client.PostAsJsonAsync("/v1/models/secret/predict?outputs=raw", input);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            var expected = TestModels.Reference(secret, [1f, 2f, 3f, 4f]);
            Assert.Equal(expected[0], (await served.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions[0].Outputs![0], 4);
        }
    }

    private static async Task<string> Detail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
}
