using System.Net.Http.Json;
using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>
/// Versions served through ONNX Runtime: ONNX packages, and every package on a server started with the ONNX backend.
/// Same answers (within 1e-4 of the TorchSharp model), metering, hot reload and wire contract as the TorchSharp backend.
/// </summary>
public sealed class OnnxBackendTests
{
    private static readonly float[][] IrisItems = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f], [5.9f, 3.0f, 4.2f, 1.5f]];

    /// <summary>Writes <paramref name="model"/>'s ONNX graph as an ONNX-only package in run folder <paramref name="folder"/>, with iris's names.</summary>
    private static void WriteOnnxRun(string folder, Model model)
    {
        Directory.CreateDirectory(folder);
        ModelArtifact.SaveOnnx(model.ToSpec(), OnnxExporter.Export(model), new ArtifactMetadata
        {
            Input = new TensorSchema(model.InputShape.ToArray(), "F32", ServerHost.IrisFeatures),
            Output = new TensorSchema(model.OutputShape.ToArray(), "F32", ServerHost.IrisClasses),
        }, Path.Combine(folder, "artifact"));
    }

    private static async Task<PredictResponse> Predict(HttpClient client, string path, float[][] items)
    {
        var response = await client.PostAsJsonAsync(path, new { inputs = items, returnOutputs = true });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }

    private static void AssertOutputsMatch(Model model, float[][] items, PredictResponse response)
    {
        Assert.Equal(items.Length, response.Predictions.Count);
        for (var i = 0; i < items.Length; i++)
        {
            var expected = TestModels.Reference(model, items[i]);
            var actual = response.Predictions[i].Outputs!;
            Assert.Equal(expected.Length, actual.Count);
            for (var j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-4, $"item {i} output {j}: ONNX Runtime {actual[j]}, TorchSharp {expected[j]}");
        }
    }

    [Fact]
    public async Task An_onnx_package_answers_as_its_torchsharp_model_with_the_same_labels_and_is_metered()
    {
        using var server = new ServerHost();
        WriteOnnxRun(Path.Combine(server.ModelsPath, "iris-onnx"), server.Iris1);
        var tenant = await server.CreateTenant("acme", ["iris", "iris-onnx"]);
        using var client = server.Client(tenant.Key);

        var torch = await Predict(client, "/v1/models/iris/predict", IrisItems);
        var onnx = await Predict(client, "/v1/models/iris-onnx/predict", IrisItems);

        AssertOutputsMatch(server.Iris1, IrisItems, onnx);
        Assert.Equal(torch.Predictions.Select(p => p.Label), onnx.Predictions.Select(p => p.Label));
        Assert.All(onnx.Predictions, p => Assert.Contains(p.Label!, ServerHost.IrisClasses));
        Assert.Equal("onnx", Assert.Single(server.Host.Loaded, m => m.Name == "iris-onnx").Backend.Name);
        using var admin = server.Client();
        var rows = (await admin.GetFromJsonAsync<UsageRow[]>($"/v1/usage?tenant={tenant.TenantId}"))!;
        var row = Assert.Single(rows, r => r.Model == "iris-onnx");
        Assert.Equal((1L, 3L), (row.Requests, row.Items));
        Assert.True(row.ComputeMs > 0);
    }

    [Fact]
    public async Task Moving_production_to_an_onnx_version_hot_reloads_it()
    {
        using var server = new ServerHost();
        using var client = server.Client();
        Assert.Equal("1", (await Predict(client, "/v1/models/iris/predict", IrisItems)).Version);
        WriteOnnxRun(Path.Combine(server.ModelsPath, "iris", "3"), server.Iris2);

        server.Catalog.SetAlias("iris", "production", "3");
        await server.Host.Refresh(default);
        var response = await Predict(client, "/v1/models/iris/predict", IrisItems);

        Assert.Equal("3", response.Version);
        AssertOutputsMatch(server.Iris2, IrisItems, response);
    }

    [Fact]
    public async Task A_server_started_with_the_onnx_backend_runs_torchsharp_packages_through_onnx_runtime()
    {
        using var server = new ServerHost(new() { ["Serving:Backend"] = "Onnx" });
        using var client = server.Client();
        var random = new Random(4);
        var images = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();

        var response = await Predict(client, "/v1/models/digits/predict", images);

        AssertOutputsMatch(server.Digits, images, response);
        Assert.Equal("onnx", Assert.Single(server.Host.Loaded).Backend.Name);
    }

    [Fact]
    public async Task A_token_id_model_is_served_through_onnx_runtime_with_int64_inputs()
    {
        using var server = new ServerHost(new() { ["Serving:Backend"] = "Onnx" });
        TorchSharp.torch.random.manual_seed(6);
        using var model = Modeling.Zoo.SequenceZoo.TransformerClassifier(6, 30, 3, dimensions: 8, heads: 2, blocks: 1);
        TestModels.WriteRun(Path.Combine(server.ModelsPath, "tokens"), model);
        using var client = server.Client();
        float[][] items = [[1, 2, 3, 4, 5, 29], [0, 0, 7, 7, 9, 12]];

        var response = await Predict(client, "/v1/models/tokens/predict", items);

        using var ids = TorchSharp.torch.tensor(items.SelectMany(i => i).Select(v => (long)v).ToArray(), [2, 6]);
        using var expected = model.Predict(ids);
        var reference = expected.data<float>().ToArray();
        var actual = response.Predictions.SelectMany(p => p.Outputs!).ToArray();
        Assert.Equal(reference.Length, actual.Length);
        Assert.All(reference.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4, $"{pair.First} vs {pair.Second}"));
        Assert.Equal("onnx", Assert.Single(server.Host.Loaded).Backend.Name);
    }
}
