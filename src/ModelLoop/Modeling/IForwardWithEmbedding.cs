using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// A network module that can return, with its outputs, the penultimate representation drift monitoring compares
/// (see <see cref="Model.ForwardWithEmbedding"/>): implemented by modules that run a model elsewhere (ONNX Runtime),
/// where the layers cannot be walked one by one.
/// </summary>
public interface IForwardWithEmbedding
{
    /// <summary>Outputs (N, …) and the embedding (N, D) of one forward pass.</summary>
    (Tensor Outputs, Tensor Embedding) ForwardWithEmbedding(Tensor input);
}
