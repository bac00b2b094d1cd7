using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Optimization.Onnx;
using Google.Protobuf;

namespace ModelLoop.Optimization.Tests.Onnx;

/// <summary>
/// Every zoo model and every layer type, exported and run in ONNX Runtime: outputs within 1e-4 of TorchSharp's
/// on 1,000 random inputs, and onnx.checker (full check) accepts the file.
/// </summary>
public sealed class OnnxExporterTests
{
    [Fact]
    public void The_mlp_runs_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = ModelZoo.Mlp(new Shape(1, 8, 8), 10, [32, 16]);
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void The_keras_cnn_runs_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = ModelZoo.KerasCnn(new Shape(1, 12, 12), 10, filters: 8, hidden: 16);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void The_batch_norm_cnn_uses_its_running_statistics_in_onnx_runtime()
    {
        using var model = ModelZoo.BatchNormCnn(new Shape(1, 16, 16), 10, width: 4, dropout: 0.3);
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void A_narrow_resnet18_with_projection_shortcuts_runs_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = ModelZoo.ResNet18(new Shape(3, 16, 16), 10, width: 4);
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_lstm_classifier_runs_in_onnx_runtime_as_in_torchsharp(bool bidirectional)
    {
        using var model = SequenceZoo.LstmClassifier(12, 50, 4, embedding: 8, units: 16, bidirectional: bidirectional);
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void Stacked_bidirectional_grus_returning_sequences_run_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = new Sequential(new Shape(10), InputKind.TokenIds)
        {
            new Embedding(30, 8),
            new Gru(12, ReturnSequences: true, NumLayers: 2, Bidirectional: true, Dropout: 0.2),
            new Gru(6),
            new Dense(3),
        };
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void A_stacked_lstm_returning_sequences_runs_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = new Sequential(6, 5)
        {
            new Lstm(7, ReturnSequences: true, NumLayers: 2),
            new Flatten(),
            new Dense(2),
        };
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void The_transformer_classifier_runs_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = SequenceZoo.TransformerClassifier(10, 40, 5, dimensions: 16, heads: 4, blocks: 2);
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void Causal_attention_layer_norm_and_a_causal_block_run_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = new Sequential(8, 6)
        {
            new Dense(12, Activation.Gelu),
            new MultiHeadAttention(3, Causal: true),
            new LayerNorm(1e-3),
            new TransformerEncoderBlock(2, 24, Causal: true),
            new SequenceMeanPool(),
            new Dense(4),
        };
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_tiny_gpt_runs_in_onnx_runtime_as_in_torchsharp(bool bias)
    {
        // Random LayerNorm scales/shifts and biases, so ln_1/ln_2/ln_f and the c_attn/c_proj/c_fc biases are exercised;
        // matrices N(0, 1.5²/fan-in) rather than GPT-2's N(0, 0.02²), so activations reach |x| ~ 1–3, where the tanh and
        // erf GELUs differ by ~1e-4 per unit (with 0.02 the ONNX graph's exact GELU would pass for the tanh one).
        using var model = SequenceZoo.Gpt(50, blockSize: 16, layers: 2, heads: 2, width: 32, bias: bias);
        OnnxParity.RandomizeStatistics(model);
        using (var generator = new TorchSharp.torch.Generator().manual_seed(7))
        using (TorchSharp.torch.no_grad())
        {
            foreach (var parameter in model.Network.parameters().Where(p => p.dim() == 2))
                TorchSharp.torch.nn.init.normal_(parameter, 0.0, 1.5 / Math.Sqrt(parameter.shape[1]), generator);
        }
        OnnxParity.AssertMatches(model, samples: 200);
    }

    [Fact]
    public void A_gpts_onnx_logits_at_a_position_ignore_later_tokens()
    {
        // The causal mask and the position embedding, checked on the ONNX side alone: changing the last token of
        // a sequence changes only the last position's logits.
        using var model = SequenceZoo.Gpt(50, blockSize: 16, layers: 2, heads: 2, width: 32);
        model.Network.eval();
        using var session = new OnnxModel(OnnxExporter.Export(model));
        using var first = OnnxVerification.RandomInputs(model, 1, seed: 5);                 // (1, 16) ids
        var ids = first.data<long>().ToArray();
        ids[15] = (ids[15] + 1) % 50;
        using var second = TorchSharp.torch.tensor(ids, [1, 16]);
        using var a = session.Predict(first);                                                // (1, 16, 50)
        using var b = session.Predict(second);
        Assert.Equal(new long[] { 1, 16, 50 }, a.shape);
        using var earlier = (a.narrow(1, 0, 15) - b.narrow(1, 0, 15)).abs().max();
        using var last = (a.narrow(1, 15, 1) - b.narrow(1, 15, 1)).abs().max();
        Assert.Equal(0f, earlier.item<float>());
        Assert.True(last.item<float>() > 0f, "Changing the last token did not change the last position's logits.");
    }

    [Fact]
    public void A_functional_model_with_a_skip_connection_and_merges_runs_in_onnx_runtime_as_in_torchsharp()
    {
        var input = Node.Input(2, 10, 10);
        var stem = input.Then(new Conv2D(6, 3, Activation.Relu, Padding: Padding.Same));
        var branch = stem.Then(new Conv2D(6, 3, Activation.Relu, Padding: Padding.Same)).Then(new Conv2D(6, 3, Padding: Padding.Same));
        var skip = Node.Add(stem, branch);
        var gated = Node.Multiply(skip, stem.Then(new ActivationLayer(Activation.Sigmoid)));
        var joined = Node.Concatenate(gated, stem).Then(new AvgPool2D(2)).Then(new Flatten()).Then(new Dense(5));
        using var model = new FunctionalModel(input, joined);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void Every_activation_pooling_reshape_and_dense_projection_shortcuts_run_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = new Sequential(48)
        {
            new Reshape([3, -1, 4]),
            new Conv2D(4, 3, Activation.Elu, Stride: 2, Padding: Padding.Same),
            new MaxPool2D(2, Stride: 1),
            new GlobalAvgPool2D(),
            new Dense(16, Activation.LeakyRelu),
            new Residual([new Dense(16, Activation.Silu), new Dense(16, Activation.Tanh)]),
            new Residual([new Dense(8, Activation.Gelu), new BatchNorm()], Activation.None),
            new Dense(8, Activation.Sigmoid),
            new ActivationLayer(Activation.None),
            new Dense(6, Activation.Softmax),
            new Dropout(),
        };
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void Group_norm_runs_in_onnx_runtime_as_in_torchsharp()
    {
        using var model = new Sequential(2, 8, 8)
        {
            new Conv2D(6, 3, Activation.Tanh, Padding: Padding.Same),
            new GroupNorm(3),
            new Conv2D(4, 3, Activation.Tanh, Stride: 2, Padding: Padding.Same),
            new GroupNorm(2, 1e-3),
            new Flatten(),
            new Dense(3),
        };
        OnnxParity.RandomizeStatistics(model);
        OnnxParity.AssertMatches(model);
    }

    [Fact]
    public void Every_layer_type_a_spec_can_name_has_an_onnx_translation()
    {
        var layerTypes = typeof(Layer).Assembly.GetTypes().Where(t => t.IsPublic && !t.IsAbstract && t.IsSubclassOf(typeof(Layer))).ToArray();
        Assert.NotEmpty(layerTypes);
        Assert.Empty(layerTypes.Except(OnnxExporter.SupportedLayers));
    }

    [Fact]
    public void A_layer_without_a_translation_is_refused_naming_it_and_listing_the_supported_ones()
    {
        using var model = ModelZoo.KerasCnn(new Shape(1, 8, 8), 3, filters: 2, hidden: 4);
        var supported = OnnxExporter.SupportedLayers.Where(t => t != typeof(Conv2D));
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportProto(model, supported: supported));
        Assert.Contains("'conv2d_1' (Conv2D)", error.Message);
        Assert.Contains("Supported layer types: Dense, MaxPool2D", error.Message);
    }

    [Fact]
    public void An_opset_other_than_17_is_refused_naming_the_option()
    {
        using var model = ModelZoo.Mlp(new Shape(4), 2, [3]);
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Opset = 13 }));
        Assert.Contains("Opset=13", error.Message);
    }

    [Fact]
    public void A_fixed_batch_export_names_its_input_and_output_and_records_the_batch_size()
    {
        using var model = ModelZoo.Mlp(new Shape(4), 2, [3]);
        var proto = OnnxExporter.ExportProto(model, new OnnxExportOptions { DynamicBatch = false, BatchSize = 5, InputName = "x", OutputName = "y" });
        Assert.Equal("x", proto.Graph.Input.Single().Name);
        Assert.Equal("y", proto.Graph.Output.Single().Name);
        Assert.Equal(5, proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);
        Assert.Equal(17, proto.OpsetImport.Single().Version);
        using var session = new OnnxModel(proto.ToByteArray());
        Assert.Equal(2, session.Run(new float[20], [5, 4]).Length / 5);
    }
}
