using Google.Protobuf;
using ModelLoop.Optimization.Quantization;
using Onnx;

namespace ModelLoop.Optimization.Tests.Quantization;

public sealed class QuantizedWeightTests
{
    [Fact]
    public void Per_channel_int8_weights_dequantize_to_within_one_scale_step_of_each_channel()
    {
        var random = new Random(11);
        // (M=6, C=3, 3, 3) with channel magnitudes spread over three orders, as trained filters are.
        var dims = new long[] { 6, 3, 3, 3 };
        var weights = Enumerable.Range(0, 162).Select(i => (random.NextSingle() * 2 - 1) * MathF.Pow(10, i / 27 % 3 - 2)).ToArray();
        var q = QuantizedWeight.Quantize(weights, dims, axis: 0, perChannel: true);
        var back = q.Dequantize();
        Assert.Equal(6, q.Scales.Length);
        for (var c = 0; c < 6; c++)
        {
            var channel = Enumerable.Range(c * 27, 27).ToArray();
            Assert.Equal(channel.Max(i => Math.Abs(weights[i])) / 127f, q.Scales[c], 1e-6f);
            foreach (var i in channel)
                Assert.InRange(Math.Abs(back[i] - weights[i]), 0, q.Scales[c]);
            Assert.All(channel, i => Assert.InRange(q.Values[i], -127, 127));
        }
    }

    [Fact]
    public void Per_channel_scales_keep_small_channels_that_a_per_tensor_scale_flattens_to_zero()
    {
        // Column 1 is 1,000 times smaller than column 0: one scale for both rounds it to 0.
        var weights = new[] { 1f, 0.001f, -0.5f, -0.0007f, 0.25f, 0.0004f };
        var dims = new long[] { 3, 2 };
        var perChannel = QuantizedWeight.Quantize(weights, dims, axis: 1, perChannel: true).Dequantize();
        var perTensor = QuantizedWeight.Quantize(weights, dims, axis: 1, perChannel: false).Dequantize();
        double Error(float[] back) => Enumerable.Range(0, 3).Max(r => Math.Abs(back[r * 2 + 1] - weights[r * 2 + 1]) / 0.001);
        Assert.True(Error(perChannel) < 0.01, $"per-channel relative error {Error(perChannel)}");
        Assert.True(Error(perTensor) > 0.5, $"per-tensor relative error {Error(perTensor)}");
    }

    [Fact]
    public void The_int8_weights_written_into_a_static_cnn_dequantize_to_within_one_step_of_its_fp32_weights()
    {
        var random = new Random(5);
        var fp32 = TestGraphs.Cnn(new Random(6), TestGraphs.RandomWeights(random, TestGraphs.Classes, 32));
        var batches = new[] { TestGraphs.Batch(TestGraphs.Samples(random, TestGraphs.Prototypes(random, 144), 16), [1, 12, 12]) };
        var quantized = ModelProto.Parser.ParseFrom(OnnxQuantizer.Quantize(fp32.ToByteArray(), new QuantizationOptions(), batches).Bytes);

        var original = fp32.Graph.Initializer.ToDictionary(i => i.Name);
        var initializers = quantized.Graph.Initializer.ToDictionary(i => i.Name);
        var checkedWeights = 0;
        foreach (var dq in quantized.Graph.Node.Where(n => n.OpType == "DequantizeLinear" && initializers.TryGetValue(n.Input[0], out var t) && t.DataType == (int)TensorProto.Types.DataType.Int8))
        {
            var values = initializers[dq.Input[0]];
            var name = dq.Input[0][..^"_quantized".Length];
            var w = GraphEdits.ReadFloats(original[name]);
            var ints = values.RawData.Span.ToArray().Select(b => (sbyte)b).ToArray();
            var scales = GraphEdits.ReadFloats(initializers[dq.Input[1]]);
            var axis = (int)GraphEdits.Int(dq, "axis", 1);
            var dims = values.Dims.ToArray();
            var inner = dims[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
            Assert.Equal(dims[axis], scales.Length);
            for (var i = 0; i < w.Length; i++)
            {
                var scale = scales[i / inner % dims[axis]];
                Assert.InRange(Math.Abs(ints[i] * scale - w[i]), 0, scale);
            }
            checkedWeights++;
        }
        Assert.Equal(3, checkedWeights); // conv, fc1, fc2
    }
}
