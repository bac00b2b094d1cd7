using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Loop;

/// <summary>
/// A model named by a user (run folder, package path or registry reference) with what is known about where it came
/// from: its package, its training history, a description for reports and where reports about it go by default.
/// Dispose to free the weights.
/// </summary>
public sealed class ResolvedModel : IDisposable
{
    internal ResolvedModel(ModelPackage package, string description, IReadOnlyList<IReadOnlyDictionary<string, double>> history, string defaultReportFolder)
    {
        Package = package;
        Description = description;
        History = history;
        DefaultReportFolder = defaultReportFolder;
    }

    public ModelPackage Package { get; }
    /// <summary>E.g. "fashion v2 (/home/…/artifact)" or the run folder's full path.</summary>
    public string Description { get; }
    /// <summary>Per-epoch metrics of the run that trained it (empty when unknown).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> History { get; }
    /// <summary>RUN/eval for a run folder, PACKAGE/eval for a package folder, eval/NAME-vN for a registry model.</summary>
    public string DefaultReportFolder { get; }
    /// <summary>The registry version, when it came from the registry.</summary>
    public ModelVersion? RegistryVersion { get; init; }

    /// <summary>The config that trained it, or null when the package was saved without one.</summary>
    public TrainingConfig? Config => Package.Config is { } json ? TrainingConfig.FromJsonNode(json, $"the config in '{Package.Path}'") : null;

    public void Dispose() => Package.Dispose();
}
