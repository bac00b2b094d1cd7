using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Optimization.Runtime;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Tests.Runtime;

public sealed class OnnxRuntimeSupportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ml-ortsupport-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, true);
    }

    private static Sequential Cnn()
    {
        random.manual_seed(7);
        var model = ModelZoo.KerasCnn(new Shape(1, 12, 12), 4, filters: 4, hidden: 16);
        model.Network.eval();
        return model;
    }

    [Fact]
    public void The_embedding_output_equals_what_ForwardWithEmbedding_gives_in_TorchSharp()
    {
        using var model = Cnn();
        using var onnx = new OnnxModel(OnnxExporter.Export(model, new OnnxExportOptions { EmbeddingOutputName = OnnxModel.EmbeddingOutput }));
        using var x = randn(5, 1, 12, 12);
        var (outputs, embedding) = onnx.PredictWithEmbedding(x);
        using var _ = no_grad();
        var (torchOutputs, torchEmbedding) = model.ForwardWithEmbedding(x);
        Assert.Equal(torchEmbedding.shape, embedding.shape);
        Assert.True((embedding - torchEmbedding).abs().max().item<float>() < 1e-4f);
        Assert.True((outputs - torchOutputs).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void An_onnx_only_package_loads_as_an_inference_only_model_that_predicts_like_the_original()
    {
        OnnxRuntimeSupport.Register();
        using var model = Cnn();
        var onnx = OnnxExporter.Export(model, new OnnxExportOptions { EmbeddingOutputName = OnnxModel.EmbeddingOutput });
        var path = Path.Combine(_folder, "pkg");
        ModelArtifact.SaveOnnx(model.ToSpec(), onnx, new ArtifactMetadata { Task = ModelTask.Classification }, path);

        using var package = ModelPackage.Load(path);
        var loaded = Assert.IsType<InferenceOnlyModel>(package.Model);
        Assert.Equal("onnxruntime", loaded.Runtime);
        using var x = randn(9, 1, 12, 12);
        using var expected = model.Predict(x);
        using var actual = loaded.Predict(x, batchSize: 4);
        Assert.True((expected - actual).abs().max().item<float>() < 1e-4f);
        var (_, embedding) = loaded.ForwardWithEmbedding(x);
        Assert.Equal(2, embedding.dim());
        var e = Assert.Throws<InvalidOperationException>(() => loaded.Fit(new Data.TensorDataset(x, zeros(9, ScalarType.Int64))));
        Assert.Contains("onnxruntime for inference only", e.Message);
    }

    [Fact]
    public void A_graph_without_an_embedding_output_says_how_to_export_one()
    {
        using var model = Cnn();
        using var onnx = new OnnxModel(OnnxExporter.Export(model));
        Assert.False(onnx.HasEmbedding);
        var e = Assert.Throws<InvalidOperationException>(() => onnx.PredictWithEmbedding(randn(2, 1, 12, 12)));
        Assert.Contains("EmbeddingOutputName", e.Message);
    }

    [Fact]
    public void A_model_without_a_layer_with_parameters_cannot_export_an_embedding()
    {
        using var model = new Sequential(4) { new ActivationLayer(Activation.Relu) };
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, new OnnxExportOptions { EmbeddingOutputName = "embedding" }));
        Assert.Contains("needs a layer with parameters", e.Message);
    }
}
