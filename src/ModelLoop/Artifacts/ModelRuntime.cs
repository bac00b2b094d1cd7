namespace ModelLoop.Artifacts;

/// <summary>What runs a package's model: TorchSharp on its weights, or ONNX Runtime on its <c>model.onnx</c>.</summary>
public enum ModelRuntime
{
    /// <summary>The network built from the spec with <c>weights.safetensors</c>. The default, and every package saved before the field existed.</summary>
    TorchSharp,
    /// <summary>The ONNX graph in <c>model.onnx</c>, run by ONNX Runtime (the server's ONNX backend, or <c>ModelLoop.Optimization.Onnx.OnnxModel</c>).</summary>
    Onnx,
}
