using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Optimization.Onnx;

namespace ModelLoop.Optimization.Tests.Onnx;

public sealed class OnnxModelTests
{
    [Fact]
    public void A_graph_exported_from_another_model_of_the_same_architecture_is_reported_as_different()
    {
        using var model = ModelZoo.Mlp(new Shape(6), 3, [8]);
        using var other = ModelZoo.Mlp(new Shape(6), 3, [8]);
        OnnxParity.RandomizeStatistics(other, seed: 8);

        Assert.True(OnnxVerification.MaxDifference(model, OnnxExporter.Export(other), samples: 32) > 1e-2);
        Assert.True(OnnxVerification.MaxDifference(model, OnnxExporter.Export(model), samples: 32) <= 1e-5);
    }

    [Fact]
    public void Run_takes_token_ids_for_a_token_model_and_refuses_floats_naming_the_other_overload()
    {
        using var model = SequenceZoo.LstmClassifier(5, 20, 2, embedding: 4, units: 6);
        using var onnx = new OnnxModel(OnnxExporter.Export(model), new OnnxModelOptions { IntraOpThreads = 1 });

        Assert.True(onnx.TakesTokenIds);
        Assert.Equal([5L], onnx.InputShape);
        Assert.Equal(4, onnx.Run(new long[10], [2, 5]).Length);
        var error = Assert.Throws<ArgumentException>(() => onnx.Run(new float[10], [2, 5]));
        Assert.Contains("int64 token ids", error.Message);
    }

    [Fact]
    public void Bytes_that_are_not_an_onnx_model_are_refused_with_what_to_pass()
    {
        var error = Assert.Throws<ArgumentException>(() => new OnnxModel([1, 2, 3, 4]));
        Assert.Contains("ONNX Runtime cannot load this model (4 bytes)", error.Message);
    }

    [Fact]
    public void A_negative_thread_count_is_refused_naming_the_option()
    {
        using var model = ModelZoo.Mlp(new Shape(3), 2, [4]);
        var error = Assert.Throws<ArgumentException>(() => new OnnxModel(OnnxExporter.Export(model), new OnnxModelOptions { IntraOpThreads = -1 }));
        Assert.Contains("IntraOpThreads", error.Message);
    }

    [Fact]
    public void The_embedding_output_is_the_penultimate_representation_as_forward_with_embedding_returns_it()
    {
        using var model = ModelZoo.BatchNormCnn(new Shape(1, 12, 12), 4, width: 4);
        OnnxParity.RandomizeStatistics(model);
        model.Network.eval();
        var bytes = OnnxExporter.Export(model, new OnnxExportOptions { EmbeddingOutputName = "embedding" });
        if (OnnxParity.CheckerAvailable)
            Assert.Null(OnnxParity.Check(bytes));
        using var onnx = new OnnxModel(bytes);
        using var inputs = OnnxVerification.RandomInputs(model, 20, seed: 5);

        var outputs = onnx.Run(inputs.data<float>().ToArray(), inputs.shape, ["output", "embedding"]);

        Assert.Equal(["output", "embedding"], onnx.OutputNames);
        using var _ = TorchSharp.torch.no_grad();
        var (expectedOutputs, expectedEmbedding) = model.ForwardWithEmbedding(inputs);
        using (expectedOutputs)
        using (expectedEmbedding)
        {
            var embedding = expectedEmbedding.data<float>().ToArray();
            Assert.Equal(embedding.Length, outputs[1].Length);
            Assert.All(embedding.Zip(outputs[1]), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4, $"{pair.First} vs {pair.Second}"));
        }
        var error = Assert.Throws<ArgumentException>(() => onnx.Run(new float[144], [1, 1, 12, 12], ["logits"]));
        Assert.Contains("output, embedding", error.Message);
    }
}
