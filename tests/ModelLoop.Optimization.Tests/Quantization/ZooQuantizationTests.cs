using Microsoft.ML.OnnxRuntime.Tensors;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Optimization.Quantization;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Tests.Quantization;

/// <summary>The exporter's graphs of the zoo's models quantize, pass onnx.checker, and run in ONNX Runtime close to fp32.</summary>
public sealed class ZooQuantizationTests
{
    public static TheoryData<string> ImageModels => ["mlp", "keras-cnn", "bn-cnn", "resnet18"];

    [Theory]
    [MemberData(nameof(ImageModels))]
    public void An_exported_zoo_model_quantizes_to_a_checked_int8_model_close_to_fp32(string name)
    {
        random.manual_seed(3);
        using var model = name == "resnet18"
            ? ModelZoo.ResNet18(new Shape(1, 16, 16), 10, width: 8, blocksPerStage: [1, 1])
            : ModelZoo.Create(name, new Shape(1, 16, 16), 10);
        var fp32 = OnnxExporter.Export(model);
        var generator = new Random(4);
        DenseTensor<float> Images(int n) => new(Enumerable.Range(0, n * 256).Select(_ => generator.NextSingle()).ToArray(), [n, 1, 16, 16]);

        var quantized = OnnxQuantizer.Quantize(fp32, calibration: [Images(64)]);

        Assert.Equal(name == "mlp" ? QuantizationMode.Dynamic : QuantizationMode.Static, quantized.Mode);
        Assert.Null(OnnxCheck.Check(quantized.Bytes));
        Assert.True(quantized.WeightSizeRatio > 3, $"weights only {quantized.WeightSizeRatio:F2}× smaller");
        var ops = TestGraphs.OptimizedOps(quantized.Bytes);
        Assert.False(ops.Any(op => op is "Conv" or "FusedConv" or "Gemm" or "FusedGemm" or "MatMul" or "DequantizeLinear"),
            $"ONNX Runtime left float ops: {string.Join(" ", ops)}");
        var test = Images(200);
        var (expected, actual) = (TestGraphs.Run(fp32, test), TestGraphs.Run(quantized.Bytes, test));
        // Random weights give near-uniform logits, so the bound is on the error, relative to the spread of the outputs.
        var spread = expected.Max() - expected.Min();
        var error = expected.Zip(actual).Average(p => Math.Abs(p.First - p.Second));
        Assert.True(error < 0.05 * spread, $"mean abs error {error:G3} against an output spread of {spread:G3}");
    }

    [Fact]
    public void An_exported_lstm_classifier_is_quantized_dynamically_into_int8_lstm_and_matmuls()
    {
        random.manual_seed(5);
        using var model = SequenceZoo.LstmClassifier(sequenceLength: 12, vocabularySize: 50, classes: 4, embedding: 16, units: 24);
        var quantized = OnnxQuantizer.Quantize(OnnxExporter.Export(model));

        Assert.Equal(QuantizationMode.Dynamic, quantized.Mode);
        Assert.Null(OnnxCheck.Check(quantized.Bytes));
        Assert.Contains("DynamicQuantizeLSTM", TestGraphs.OptimizedOps(quantized.Bytes));
        using var onnx = new OnnxModel(quantized.Bytes);
        using var fp32 = new OnnxModel(OnnxExporter.Export(model));
        var ids = Enumerable.Range(0, 10 * 12).Select(i => (long)(i * 7 % 50)).ToArray();
        var (expected, actual) = (fp32.Run(ids, [10, 12]), onnx.Run(ids, [10, 12]));
        Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < 0.1 * (expected.Max() - expected.Min() + 1e-3f));
    }
}
