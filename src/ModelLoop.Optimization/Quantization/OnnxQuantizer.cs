using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// int8 quantization of an fp32 ONNX model, done here as a graph transform (no Python at run time): the model is
/// first simplified by ONNX Runtime's basic level (BatchNorm folded into the convolution before it, Dropout and
/// Identity removed, constants folded — standard ops only), then quantized dynamically (<see cref="DynamicQuantizer"/>)
/// or statically with a calibration set (<see cref="ActivationCalibrator"/> + <see cref="StaticQuantizer"/>).
/// The result is a standard ONNX model (opset of the input, ≥ 13) that ONNX Runtime runs with int8 kernels.
/// </summary>
public static class OnnxQuantizer
{
    /// <summary>The lowest opset with per-axis QuantizeLinear/DequantizeLinear.</summary>
    public const int MinimumOpset = 13;

    /// <param name="fp32Model">The serialized fp32 ONNX model (one input, batch first).</param>
    /// <param name="options">Defaults to <c>new QuantizationOptions()</c>.</param>
    /// <param name="calibration">Input batches for the static mode (each shaped as the input, batch first); unused by the dynamic mode.</param>
    /// <exception cref="ArgumentException">Bad options, an opset below 13, or the static mode without calibration batches.</exception>
    public static QuantizedModel Quantize(byte[] fp32Model, QuantizationOptions? options = null, IEnumerable<DenseTensor<float>>? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(fp32Model);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(fp32Model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"The fp32 model is not a readable ONNX protobuf ({e.Message}). Pass the bytes of an .onnx file.", nameof(fp32Model), e);
        }
        var (quantized, mode) = Quantize(model, options ?? new QuantizationOptions(), calibration);
        return new QuantizedModel(quantized.ToByteArray(), mode, fp32Model.LongLength, WeightBytes(quantized), WeightBytes(model));
    }

    internal static (ModelProto Model, QuantizationMode Mode) Quantize(ModelProto fp32, QuantizationOptions options, IEnumerable<DenseTensor<float>>? calibration)
    {
        options.Validate();
        var opset = fp32.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < MinimumOpset)
            throw new ArgumentException($"The model imports ONNX opset {opset}; int8 quantization writes per-channel QuantizeLinear/DequantizeLinear, which need opset {MinimumOpset} or later. Export with opset 17.");
        var model = Simplify(fp32);
        var mode = ResolveMode(model, options.Mode);
        if (mode == QuantizationMode.Dynamic)
            return (DynamicQuantizer.Quantize(model, options.PerChannel), mode);
        var batches = calibration?.ToList() ?? [];
        if (batches.Count == 0)
            throw new ArgumentException("Static quantization needs calibration batches (training inputs shaped as the model's input); received none. Pass some, or use QuantizationMode.Dynamic.", nameof(calibration));
        var ranges = ActivationCalibrator.Collect(model, batches, options.CalibrationMethod, options.Percentile);
        return (StaticQuantizer.Quantize(model, ranges, options.PerChannel), mode);
    }

    /// <summary>Bytes of a model's initializer data (raw or typed fields; 4 bytes per float, 1 per int8…).</summary>
    internal static long WeightBytes(ModelProto model) => model.Graph.Initializer.Sum(t => t.RawData.Length > 0 ? (long)t.RawData.Length
        : 4L * (t.FloatData.Count + t.Int32Data.Count) + 8L * (t.Int64Data.Count + t.DoubleData.Count));

    /// <summary>Auto → Static when the graph has a convolution, else Dynamic; other modes as given.</summary>
    internal static QuantizationMode ResolveMode(ModelProto model, QuantizationMode mode) =>
        mode != QuantizationMode.Auto ? mode
        : model.Graph.Node.Any(n => n.OpType is "Conv" or "ConvTranspose") ? QuantizationMode.Static : QuantizationMode.Dynamic;

    /// <summary>
    /// ONNX Runtime's basic graph optimizations written back as a model: these are semantics-preserving rewrites
    /// into standard ONNX ops (Conv+BatchNorm folding, Dropout/Identity removal, constant folding), which the
    /// quantizer needs done first — a folded BatchNorm can no longer be folded once its Conv reads an int8 weight.
    /// </summary>
    internal static ModelProto Simplify(ModelProto model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelloop-simplified-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, OptimizedModelFilePath = path })
            using (new InferenceSession(model.ToByteArray(), options))
            {
            }
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
