using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Serving.Batching;

namespace ModelLoop.Serving.Tests.Batching;

public sealed class InferenceBackendTests
{
    [Fact]
    public void The_onnx_backend_gives_the_outputs_and_embeddings_the_torchsharp_backend_gives()
    {
        var model = TestModels.Image(5);
        var onnx = OnnxExporter.Export(model, new OnnxExportOptions { EmbeddingOutputName = OnnxBackend.EmbeddingOutput });
        using var torch = new TorchSharpBackend(model);
        using var ort = new OnnxBackend(onnx, model.InputShape, model.InputKind, model.OutputShape, threads: 1, "test");
        var random = new Random(3);
        var values = Enumerable.Range(0, 3 * 64).Select(_ => (float)random.NextDouble()).ToArray();

        var expected = torch.Forward(values, 3, embeddings: true);
        var actual = ort.Forward(values, 3, embeddings: true);

        Assert.Equal(expected.EmbeddingWidth, actual.EmbeddingWidth);
        foreach (var (e, a) in new[] { (expected.Outputs, actual.Outputs), (expected.Embeddings!, actual.Embeddings!) })
        {
            Assert.Equal(e.Length, a.Length);
            Assert.All(e.Zip(a), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4, $"{pair.First} vs {pair.Second}"));
        }
        Assert.Null(ort.Forward(values, 3, embeddings: false).Embeddings);
    }

    [Fact]
    public void A_graph_that_takes_another_input_than_the_package_declares_is_refused_naming_both()
    {
        using var model = TestModels.Image(5);
        var error = Assert.Throws<InvalidDataException>(() =>
            new OnnxBackend(OnnxExporter.Export(model), new Shape(64), InputKind.Float, model.OutputShape, threads: 1, "Model 'digits' version 1"));
        Assert.Contains("(1, 8, 8)", error.Message);
        Assert.Contains("Model 'digits' version 1", error.Message);
    }
}
