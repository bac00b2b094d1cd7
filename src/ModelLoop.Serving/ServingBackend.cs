namespace ModelLoop.Serving;

/// <summary>What runs the served models' forward passes.</summary>
public enum ServingBackend
{
    /// <summary>Each package's own runtime (<c>ArtifactMetadata.Runtime</c>): TorchSharp for packages with weights, ONNX Runtime for ONNX packages. The default.</summary>
    Auto,
    /// <summary>ONNX Runtime for every package: a TorchSharp package is exported to ONNX (fp32) when it is loaded.</summary>
    Onnx,
}
