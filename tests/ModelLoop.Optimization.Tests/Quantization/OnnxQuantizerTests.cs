using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelLoop.Optimization.Quantization;
using Onnx;

namespace ModelLoop.Optimization.Tests.Quantization;

public sealed class OnnxQuantizerTests
{
    private static readonly long[] ImageShape = [1, 12, 12];

    [Fact]
    public void A_dynamic_int8_mlp_agrees_with_fp32_on_structured_inputs()
    {
        var random = new Random(21);
        var prototypes = TestGraphs.Prototypes(random, 64);
        var head = TestGraphs.HeadFor(TestGraphs.Mlp(new Random(22)), prototypes, [64]);
        var fp32 = TestGraphs.Mlp(new Random(22), head: head);
        var quantized = OnnxQuantizer.Quantize(fp32.ToByteArray(), new QuantizationOptions { Mode = QuantizationMode.Dynamic });

        var test = TestGraphs.Batch(TestGraphs.Samples(random, prototypes, 1000), [64]);
        AssertAgrees(TestGraphs.Run(fp32, test), TestGraphs.Run(quantized.Bytes, test));
    }

    [Fact]
    public void A_static_int8_cnn_agrees_with_fp32_on_structured_inputs()
    {
        var random = new Random(31);
        var prototypes = TestGraphs.Prototypes(random, 144);
        var head = TestGraphs.HeadFor(TestGraphs.Cnn(new Random(32)), prototypes, ImageShape);
        var fp32 = TestGraphs.Cnn(new Random(32), head);
        var calibration = Enumerable.Range(0, 4).Select(_ => TestGraphs.Batch(TestGraphs.Samples(random, prototypes, 64), ImageShape)).ToList();
        var quantized = OnnxQuantizer.Quantize(fp32.ToByteArray(), new QuantizationOptions(), calibration);
        Assert.Equal(QuantizationMode.Static, quantized.Mode);

        var test = TestGraphs.Batch(TestGraphs.Samples(random, prototypes, 1000), ImageShape);
        AssertAgrees(TestGraphs.Run(fp32, test), TestGraphs.Run(quantized.Bytes, test));
    }

    [Fact]
    public void A_dynamic_mlp_passes_onnx_checker_and_onnx_runtime_runs_it_as_dynamic_int8_matmuls()
    {
        var fp32 = TestGraphs.Mlp(new Random(41), head: TestGraphs.RandomWeights(new Random(42), TestGraphs.Classes, 48));
        var quantized = OnnxQuantizer.Quantize(fp32.ToByteArray());

        Assert.Equal(QuantizationMode.Dynamic, quantized.Mode);
        Assert.Null(OnnxCheck.Check(quantized.Bytes));
        var ops = TestGraphs.OptimizedOps(quantized.Bytes);
        Assert.Equal(2, ops.Count(op => op == "DynamicQuantizeMatMul"));
        Assert.DoesNotContain("Gemm", ops);
        Assert.Equal(2 * TestGraphs.Classes, TestGraphs.Run(quantized.Bytes, TestGraphs.Batch([new float[64], new float[64]], [64])).Length);
    }

    [Fact]
    public void A_dynamic_lstm_runs_as_onnx_runtimes_int8_lstm_and_agrees_with_fp32()
    {
        var random = new Random(45);
        var prototypes = TestGraphs.Prototypes(random, 5 * 6);
        var head = TestGraphs.HeadFor(TestGraphs.Lstm(new Random(46)), prototypes, [5, 6]);
        var fp32 = TestGraphs.Lstm(new Random(46), head: head);
        var quantized = OnnxQuantizer.Quantize(fp32.ToByteArray());

        Assert.Equal(QuantizationMode.Dynamic, quantized.Mode);
        Assert.Null(OnnxCheck.Check(quantized.Bytes));
        var ops = TestGraphs.OptimizedOps(quantized.Bytes);
        Assert.Contains("DynamicQuantizeLSTM", ops);
        Assert.DoesNotContain("LSTM", ops);
        var test = TestGraphs.Batch(TestGraphs.Samples(random, prototypes, 1000), [5, 6]);
        AssertAgrees(TestGraphs.Run(fp32, test), TestGraphs.Run(quantized.Bytes, test));
    }

    [Fact]
    public void A_static_cnn_passes_onnx_checker_and_onnx_runtime_fuses_it_into_int8_kernels()
    {
        var random = new Random(51);
        var fp32 = TestGraphs.Cnn(new Random(52), TestGraphs.RandomWeights(random, TestGraphs.Classes, 32));
        var calibration = new[] { TestGraphs.Batch(TestGraphs.Samples(random, TestGraphs.Prototypes(random, 144), 32), ImageShape) };
        var quantized = OnnxQuantizer.Quantize(fp32.ToByteArray(), calibration: calibration);

        Assert.Null(OnnxCheck.Check(quantized.Bytes));
        var ops = TestGraphs.OptimizedOps(quantized.Bytes);
        Assert.Contains("QLinearConv", ops);
        Assert.Equal(2, ops.Count(op => op == "QGemm"));
        Assert.DoesNotContain("Conv", ops);
        Assert.DoesNotContain("DequantizeLinear", ops);
    }

    [Fact]
    public void A_folded_batch_norm_is_quantized_with_its_convolution()
    {
        var random = new Random(61);
        var fp32 = TestGraphs.Cnn(new Random(62), TestGraphs.RandomWeights(random, TestGraphs.Classes, 32));
        TestGraphs.InsertBatchNorm(fp32, random);
        var calibration = new[] { TestGraphs.Batch(TestGraphs.Samples(random, TestGraphs.Prototypes(random, 144), 32), ImageShape) };
        var quantized = OnnxQuantizer.Quantize(fp32.ToByteArray(), calibration: calibration);

        var ops = TestGraphs.OptimizedOps(quantized.Bytes);
        Assert.Contains("QLinearConv", ops);
        Assert.DoesNotContain("BatchNormalization", ops);
        var test = calibration[0];
        var (expected, actual) = (TestGraphs.Run(fp32, test), TestGraphs.Run(quantized.Bytes, test));
        Assert.True(MaxAbs(expected, actual) < 0.05 * expected.Max(Math.Abs), $"max error {MaxAbs(expected, actual)}");
    }

    [Fact]
    public void Bad_options_and_inputs_are_refused_with_the_field_and_what_is_allowed()
    {
        var model = TestGraphs.Mlp(new Random(71)).ToByteArray();
        var unknown = Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(model, new QuantizationOptions { Mode = (QuantizationMode)42 }));
        Assert.Contains("Mode", unknown.Message);
        Assert.Contains("Dynamic", unknown.Message);
        var name = Assert.Throws<ArgumentException>(() => QuantizationOptions.ParseMode("int4"));
        Assert.Contains("'int4'", name.Message);
        Assert.Contains("auto, dynamic, static", name.Message);
        var zero = Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(model, new QuantizationOptions { CalibrationSamples = 0 }));
        Assert.Contains("CalibrationSamples is 0", zero.Message);
        var noData = Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Static }));
        Assert.Contains("calibration", noData.Message);
        var old = TestGraphs.Mlp(new Random(71));
        old.OpsetImport[0].Version = 11;
        var opset = Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(old.ToByteArray()));
        Assert.Contains("opset 11", opset.Message);
        Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize([1, 2, 3, 250]));
    }

    /// <summary>argmax agreement ≥ 98% and max abs error within 5% of the largest fp32 output.</summary>
    private static void AssertAgrees(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var (a, b) = (TestGraphs.Argmax(expected, TestGraphs.Classes), TestGraphs.Argmax(actual, TestGraphs.Classes));
        var agreement = a.Zip(b).Count(p => p.First == p.Second) / (double)a.Length;
        var bound = 0.05 * expected.Max(Math.Abs);
        Assert.True(agreement >= 0.98, $"argmax agreement {agreement:P1}");
        Assert.True(MaxAbs(expected, actual) <= bound, $"max abs error {MaxAbs(expected, actual):G4} > {bound:G4}");
    }

    private static float MaxAbs(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
}
