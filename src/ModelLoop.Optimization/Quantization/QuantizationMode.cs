namespace ModelLoop.Optimization.Quantization;

/// <summary>How activations are quantized; weights are int8 (per channel by default) in every mode.</summary>
public enum QuantizationMode
{
    /// <summary><see cref="Static"/> when the model has a convolution, else <see cref="Dynamic"/>. The default.</summary>
    Auto,
    /// <summary>
    /// Activations are quantized at run time from each batch's own range (DynamicQuantizeLinear → MatMulInteger):
    /// no calibration data; Gemm/MatMul (Dense) and LSTM (ONNX Runtime's DynamicQuantizeLSTM), the rest stays float.
    /// </summary>
    Dynamic,
    /// <summary>
    /// Activation ranges fixed from a calibration set; QuantizeLinear/DequantizeLinear pairs that ONNX Runtime fuses
    /// into QLinearConv / QGemm / QLinearMatMul and uint8 pooling.
    /// </summary>
    Static,
}
