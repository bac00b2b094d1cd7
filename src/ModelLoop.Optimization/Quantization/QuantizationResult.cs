namespace ModelLoop.Optimization.Quantization;

/// <summary>What a <see cref="QuantizationJob"/> wrote and measured.</summary>
/// <param name="Path">The int8 ONNX-only package folder.</param>
/// <param name="Mode">How activations were quantized (Auto resolved).</param>
/// <param name="SizeBytes">The int8 ONNX model's size in bytes.</param>
/// <param name="Fp32SizeBytes">The fp32 ONNX export's size in bytes.</param>
/// <param name="TestMetrics">The int8 model's metrics through ONNX Runtime on the package's held-out test rows ("test_accuracy", "test_log_loss"; regression "test_mse", "test_mae").</param>
/// <param name="Fp32TestMetrics">The fp32 model's metrics on the same rows, computed the same way (its ONNX export through ONNX Runtime, which matches TorchSharp within 1e-4).</param>
/// <param name="CalibrationSamples">Training rows used for calibration (0 for the dynamic mode).</param>
/// <param name="ParentModel">The exact parent, recorded as the package's lineage: NAME:VERSION for a registry model (never a moving alias), else the package's full path.</param>
public sealed record QuantizationResult(string Path, QuantizationMode Mode, long SizeBytes, long Fp32SizeBytes,
    IReadOnlyDictionary<string, double> TestMetrics, IReadOnlyDictionary<string, double> Fp32TestMetrics, int CalibrationSamples, string ParentModel)
{
    /// <summary>fp32 size / int8 size.</summary>
    public double SizeRatio => (double)Fp32SizeBytes / SizeBytes;
}
