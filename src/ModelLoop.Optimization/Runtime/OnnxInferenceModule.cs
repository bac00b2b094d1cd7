using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Runtime;

/// <summary>
/// An ONNX Runtime session behind a TorchSharp module, so an <see cref="InferenceOnlyModel"/> built on it predicts like any
/// model: <c>forward</c> runs the graph's first output; <see cref="ForwardWithEmbedding"/> also returns the graph's
/// "embedding" output when the graph has one (what drift monitoring compares), and says how to get one when it has not.
/// </summary>
internal sealed class OnnxInferenceModule : nn.Module<Tensor, Tensor>, IForwardWithEmbedding
{
    private readonly OnnxModel _onnx;

    public OnnxInferenceModule(OnnxModel onnx) : base("onnxruntime") => _onnx = onnx;

    public OnnxModel Session => _onnx;

    // One ONNX Runtime call for the whole batch: the caller (trainer's Predict, the server's batcher) already batches.
    public override Tensor forward(Tensor input) => _onnx.Predict(input, (int)Math.Max(1, input.shape[0]));

    public (Tensor Outputs, Tensor Embedding) ForwardWithEmbedding(Tensor input) => _onnx.PredictWithEmbedding(input);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _onnx.Dispose();
        base.Dispose(disposing);
    }
}
