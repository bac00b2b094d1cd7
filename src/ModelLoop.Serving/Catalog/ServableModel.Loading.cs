using ModelLoop.Artifacts;
using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;
using ModelLoop.Serving.Batching;

namespace ModelLoop.Serving.Catalog;

/// <summary>Choosing the backend of a package: its runtime, or ONNX Runtime for all when the server asks.</summary>
public sealed partial class ServableModel
{
    /// <summary>
    /// Loads and verifies the package at <paramref name="path"/> and serves it through the backend its
    /// <see cref="ArtifactMetadata.Runtime"/> names — TorchSharp on the weights, ONNX Runtime on model.onnx — or,
    /// with <see cref="ServingBackend.Onnx"/>, through ONNX Runtime whatever the package (a TorchSharp package is
    /// exported to fp32 ONNX here). Both give the same schema, preprocessing and decoding.
    /// </summary>
    /// <param name="onnxThreads">ONNX Runtime intra-op threads per session; null lets it choose.</param>
    /// <exception cref="InvalidDataException">A file does not verify, the key is missing or wrong, the pipeline does not fit, or ONNX Runtime cannot run the graph.</exception>
    /// <exception cref="FileNotFoundException">The package declares the ONNX runtime but has no model.onnx.</exception>
    internal static ServableModel Load(string name, string version, string path, ArtifactLoadOptions options, BatchingOptions? batching,
        ServingBackend backend, int? onnxThreads)
    {
        var where = $"Model '{name}' version {version} ({path})";
        LoadedArtifact? artifact = null;
        try
        {
            artifact = ModelArtifact.Load(path, options);
        }
        catch (NotSupportedException)
        {
            // An ONNX-only package (no weights): Load refuses it right after verifying the files; ONNX Runtime runs it below.
        }
        if (artifact is { Metadata.Runtime: ModelRuntime.TorchSharp } && backend == ServingBackend.Auto)
        {
            try
            {
                return FromArtifact(name, version, artifact, batching);
            }
            catch
            {
                artifact.Dispose();
                throw;
            }
        }

        ModelSpec spec;
        ArtifactMetadata metadata;
        byte[] onnx;
        if (artifact is null)
        {
            (spec, metadata) = ModelArtifact.ReadMetadata(path, options);
            onnx = ModelArtifact.ReadOnnx(path, options);
        }
        else
        {
            using (artifact)
            {
                (spec, metadata) = (artifact.Spec, artifact.Metadata);
                onnx = metadata.Runtime == ModelRuntime.Onnx ? ModelArtifact.ReadOnnx(path, options) : Export(artifact.Model, where);
            }
        }
        var package = ReadPackage(where, () => PackageInfo.From(metadata));
        var input = metadata.Input!;
        var kind = input.DType == "I64" ? InputKind.TokenIds : InputKind.Float;
        var onnxBackend = new OnnxBackend(onnx, new Shape(input.Shape), kind, new Shape(metadata.Output!.Shape), onnxThreads, where, spec.VocabularySize);
        try
        {
            return Create(name, version, onnxBackend, package, metadata, ItemMonitor.For(metadata, spec), where, batching);
        }
        catch
        {
            onnxBackend.Dispose();
            throw;
        }
    }

    private static byte[] Export(Model model, string where)
    {
        try
        {
            return OnnxExporter.Export(model, new OnnxExportOptions { EmbeddingOutputName = OnnxBackend.EmbeddingOutput });
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"{where} cannot be served through ONNX Runtime: {e.Message}", e);
        }
    }
}
