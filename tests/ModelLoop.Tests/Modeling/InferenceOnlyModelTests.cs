using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class InferenceOnlyModelTests
{
    /// <summary>Stands in for an ONNX Runtime session: doubles its input and reports the input as the embedding.</summary>
    private sealed class Doubling() : nn.Module<Tensor, Tensor>("doubling"), IForwardWithEmbedding
    {
        public override Tensor forward(Tensor input) => input * 2;
        public (Tensor Outputs, Tensor Embedding) ForwardWithEmbedding(Tensor input) => (input * 2, input.flatten(1));
    }

    private static InferenceOnlyModel Create() =>
        new(new ModelSpec([3], [new Dense(3)]), new Doubling(), new Shape(3), "test-runtime");

    [Fact]
    public void Predict_runs_the_external_module_and_the_summary_names_the_runtime()
    {
        using var model = Create();
        using var x = tensor(new float[] { 1, -2, 3, 0.5f, 0, 4 }).reshape(2, 3);
        using var y = model.Predict(x);
        Assert.Equal(new float[] { 2, -4, 6, 1, 0, 8 }, y.data<float>().ToArray());
        Assert.Equal(0, model.ParameterCount);
        Assert.Contains("test-runtime (InferenceOnly)", model.Summary(TextWriter.Null));
        Assert.Equal([3L], model.ToSpec().InputShape);
    }

    [Fact]
    public void ForwardWithEmbedding_asks_the_module_for_its_embedding()
    {
        using var model = Create();
        using var x = ones(4, 3);
        var (outputs, embedding) = model.ForwardWithEmbedding(x);
        Assert.Equal([4L, 3L], embedding.shape);
        Assert.Equal(2f, outputs[0, 0].item<float>());
    }

    [Fact]
    public void Fitting_an_inference_only_model_is_refused_naming_the_parent_to_train_instead()
    {
        using var model = Create();
        using var data = new TensorDataset(ones(4, 3), zeros(4, ScalarType.Int64));
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(data));
        Assert.Contains("test-runtime for inference only", e.Message);
        Assert.Contains("lineage names the parent", e.Message);
    }
}
