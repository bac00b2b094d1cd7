namespace ModelLoop.Optimization.Quantization;

/// <summary>The output of <see cref="OnnxQuantizer.Quantize"/>: the int8 ONNX model and how it was quantized.</summary>
/// <param name="Bytes">The serialized quantized ONNX model.</param>
/// <param name="Mode">The mode used (<see cref="QuantizationMode.Auto"/> resolved to Dynamic or Static).</param>
/// <param name="Fp32Bytes">The size of the fp32 model it came from, in bytes.</param>
/// <param name="WeightBytes">Bytes of the quantized model's initializers (int8 weights, int32 biases, scales, zero points).</param>
/// <param name="Fp32WeightBytes">Bytes of the fp32 model's initializers.</param>
public sealed record QuantizedModel(byte[] Bytes, QuantizationMode Mode, long Fp32Bytes, long WeightBytes, long Fp32WeightBytes)
{
    /// <summary>fp32 file size / int8 file size.</summary>
    public double SizeRatio => (double)Fp32Bytes / Bytes.LongLength;

    /// <summary>fp32 weight bytes / int8 weight bytes.</summary>
    public double WeightSizeRatio => (double)Fp32WeightBytes / WeightBytes;
}
