using static TorchSharp.torch;

namespace ModelLoop.Optimization.Reports;

/// <summary>
/// Runs one model variant on a batch of prepared inputs, whatever executes it (a TorchSharp network, an ONNX Runtime
/// session): what <see cref="VariantBenchmark"/> times and scores, so fp32, pruned, distilled and int8 variants are
/// measured by one loop on the same tensors.
/// </summary>
public interface IVariantPredictor : IDisposable
{
    /// <summary>The variant's raw outputs (logits for classifiers) for <paramref name="inputs"/> (N, …), float32 on the CPU.</summary>
    Tensor Predict(Tensor inputs);
}
