namespace ModelLoop.Optimization.Quantization;

/// <summary>The output of <see cref="OnnxQuantizer.Quantize"/>: the int8 ONNX model and how it was quantized.</summary>
/// <param name="Bytes">The serialized quantized ONNX model.</param>
/// <param name="Mode">The mode used (<see cref="QuantizationMode.Auto"/> resolved to Dynamic or Static).</param>
/// <param name="Fp32Bytes">The size of the fp32 model it came from, in bytes.</param>
public sealed record QuantizedModel(byte[] Bytes, QuantizationMode Mode, long Fp32Bytes)
{
    /// <summary>fp32 size / int8 size.</summary>
    public double SizeRatio => (double)Fp32Bytes / Bytes.LongLength;
}
