using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Serving.Logging;

namespace ModelLoop.Serving.Tests.Logging;

/// <summary>A package with a reference profile: the server logs each item's monitored features and, for images, its embedding.</summary>
public sealed class MonitoredFeaturesTests
{
    [Fact]
    public async Task AnImageModelWithReferenceEmbeddingsLogsEachItemsBrightnessContrastAndEmbedding()
    {
        using var server = new ServerHost(new() { ["Serving:PredictionLog:Enabled"] = "true" });
        // The digits CNN (1×8×8 → Conv2D 4@3×3 → Flatten → Dense 2) with a reference profile holding an embedding sample:
        // its embedding is the Flatten output, 4 × 6 × 6 = 144 values.
        using var model = TestModels.Image(3);
        ModelArtifact.Save(model, Path.Combine(server.ModelsPath, "profiled", "artifact"), new ArtifactMetadata
        {
            Reference = new ReferenceProfile
            {
                Features = [new FeatureReference { Name = "brightness", Sample = [0.4, 0.5] }, new FeatureReference { Name = "contrast", Sample = [0.2, 0.3] }],
                Embeddings = new EmbeddingReference(144, [new float[144]]),
            },
        });
        using var client = server.Client();
        var pixels = Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray();

        var response = (await (await client.PostAsJsonAsync("/v1/models/profiled/predict", new { images = new[] { Convert.ToBase64String(pixels), Convert.ToBase64String(new byte[64]) } })).Content.ReadFromJsonAsync<PredictResponse>())!;

        var logged = Assert.Single(server.Services.GetRequiredService<PredictionRecorder>().Log!.Read("profiled"));
        var first = logged.Items[0].Monitored!;
        var values = pixels.Select(p => p / 255.0).ToArray();
        Assert.Equal(values.Average(), first.Numeric["brightness"]!.Value, 5);
        Assert.Equal(Math.Sqrt(values.Select(v => (v - values.Average()) * (v - values.Average())).Average()), first.Numeric["contrast"]!.Value, 5);
        Assert.Equal(response.Predictions[0].Class, first.PredictedClass);
        using var input = TorchSharp.torch.tensor(values.Select(v => (float)v).ToArray(), [1, 1, 8, 8]);
        var (_, embedding) = model.ForwardWithEmbedding(input);
        Assert.Equal(embedding.data<float>().ToArray(), first.Embedding!, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(144, logged.Items[1].Monitored!.Embedding!.Length);
        Assert.Equal(0, logged.Items[1].Monitored!.Numeric["brightness"]);
    }
}
