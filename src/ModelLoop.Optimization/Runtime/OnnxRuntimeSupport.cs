using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;

namespace ModelLoop.Optimization.Runtime;

/// <summary>
/// Lets this process load ONNX-only packages (int8): <see cref="Register"/> adds ONNX Runtime to
/// <see cref="ModelRuntimes"/>, after which <c>ModelArtifact.Load</c>/<c>ModelPackage.Load</c> return an
/// <see cref="InferenceOnlyModel"/> that runs the package's model.onnx — evaluation, the promotion gate, the server's
/// batching and drift monitoring then use it like any model.
/// </summary>
public static class OnnxRuntimeSupport
{
    /// <summary>Threads ONNX Runtime may use per operator for packages loaded from now on; 0 lets it choose. Defaults to 0.</summary>
    public static int IntraOpThreads { get; set; }

    /// <summary>Registers the ONNX Runtime loader. Idempotent.</summary>
    public static void Register() => ModelRuntimes.Register(ModelRuntime.Onnx, Load);

    /// <summary>An ONNX graph (bytes) as an inference-only model of <paramref name="spec"/>'s shape.</summary>
    public static InferenceOnlyModel Wrap(ModelSpec spec, byte[] onnx, Shape outputShape)
    {
        var session = new OnnxModel(onnx, new OnnxModelOptions { IntraOpThreads = IntraOpThreads });
        return new InferenceOnlyModel(spec, new OnnxInferenceModule(session), outputShape, "onnxruntime");
    }

    private static Model Load(RuntimeModelFiles files)
    {
        if (!files.Files.TryGetValue(ModelArtifact.OnnxFile, out var onnx))
            throw new InvalidDataException($"Artifact '{files.ArtifactPath}' declares runtime {files.Metadata.Runtime} but holds no {ModelArtifact.OnnxFile}; save it again with ModelArtifact.SaveOnnx.");
        var output = files.Metadata.Output?.Shape ?? throw new InvalidDataException($"Artifact '{files.ArtifactPath}' has no output schema in {ModelArtifact.ModelFile}.");
        try
        {
            return Wrap(files.Spec, onnx, new Shape(output));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{ModelArtifact.OnnxFile} in artifact '{files.ArtifactPath}' does not load in ONNX Runtime: {e.Message}", e);
        }
    }
}
