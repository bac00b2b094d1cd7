using System.Collections.Concurrent;
using ModelLoop.Modeling;

namespace ModelLoop.Artifacts;

/// <summary>
/// Loaders for packages whose model runs outside TorchSharp (an int8 ONNX-only package): the assembly that can run them
/// registers a loader for the package's <see cref="ArtifactMetadata.Runtime"/>, and <see cref="ModelArtifact.Load"/> then
/// returns the <see cref="InferenceOnlyModel"/> it builds — so the core needs no reference to ONNX Runtime, and every
/// caller that loads a package (evaluation, the promotion gate, the server, drift monitoring) runs such packages without
/// knowing. ModelLoop.Optimization's <c>OnnxRuntimeSupport.Register()</c> registers <see cref="ModelRuntime.Onnx"/>; the
/// CLI, the server and the demo call it at start.
/// </summary>
public static class ModelRuntimes
{
    private static readonly ConcurrentDictionary<ModelRuntime, Func<RuntimeModelFiles, Model>> Loaders = new();

    /// <summary>Registers (or replaces) the loader of ONNX-only packages of <paramref name="runtime"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="runtime"/> is TorchSharp, which is built in.</exception>
    public static void Register(ModelRuntime runtime, Func<RuntimeModelFiles, Model> loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        if (runtime == ModelRuntime.TorchSharp)
            throw new ArgumentException("TorchSharp is the built-in runtime (a package's weights) and cannot be replaced.", nameof(runtime));
        Loaders[runtime] = loader;
    }

    /// <summary>True when packages of <paramref name="runtime"/> can be loaded in this process (TorchSharp always can).</summary>
    public static bool IsRegistered(ModelRuntime runtime) => runtime == ModelRuntime.TorchSharp || Loaders.ContainsKey(runtime);

    /// <summary>Builds the model of a verified package that has no TorchSharp weights.</summary>
    /// <exception cref="NotSupportedException">No loader is registered for its runtime; the message says what to do.</exception>
    internal static Model Load(RuntimeModelFiles files)
    {
        var runtime = files.Metadata.Runtime;
        if (runtime == ModelRuntime.TorchSharp || !Loaders.TryGetValue(runtime, out var loader))
            throw new NotSupportedException($"Artifact '{files.ArtifactPath}' is an ONNX package (runtime {runtime}: {ModelArtifact.OnnxFile} without {ModelArtifact.WeightsFile}), so it runs through ONNX Runtime, not TorchSharp, and no ONNX Runtime loader is registered in this process. " +
                "What to do: serve or evaluate it with `modelloop serve` / `modelloop eval` (they register it), or from code reference ModelLoop.Optimization and call OnnxRuntimeSupport.Register() first.");
        return loader(files);
    }
}
