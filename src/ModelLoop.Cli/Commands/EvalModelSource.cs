using System.Globalization;
using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Modeling;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using ModelLoop.Storage;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// A model ready to evaluate, its spec, its training history (epochs), whether it was trained as a regressor, and —
/// when it came from an artifact — the preprocessing pipeline and data split it was trained with.
/// </summary>
internal sealed record EvalModel(Model Model, ModelSpec Spec, IReadOnlyList<IReadOnlyDictionary<string, double>> History, bool Regression, string Description)
{
    /// <summary>The pipeline training applied to raw data (the artifact's preprocessing); null for a bare run folder.</summary>
    public PreprocessingPipeline? Pipeline { get; init; }
    /// <summary>How the training data was split; null when not recorded.</summary>
    public TrainingDataSplit? Split { get; init; }
    /// <summary>The dataset manifest hash the model was trained on; null when not recorded.</summary>
    public string? DatasetHash { get; init; }
    /// <summary>Where reports go by default: MODEL/eval for a folder, else beside the current directory.</summary>
    public required string DefaultReportFolder { get; init; }
}

/// <summary>
/// Where <c>modelloop eval</c> gets models from: a run folder written by <c>modelloop train</c> (its artifact/ when
/// present, else model.json + weights.bin), an artifact folder or .zip, or a registry reference
/// <c>name[:version|alias]</c> in the home folder (no version: the production alias if set, else the latest version).
/// </summary>
internal static class EvalModelSource
{
    public static EvalModel Load(string source, string? home = null)
    {
        if (Directory.Exists(source))
        {
            if (File.Exists(Path.Combine(source, ModelArtifact.ManifestFile)) && !File.Exists(Path.Combine(source, "weights.bin")))
                return FromArtifact(ModelArtifact.Load(source), source, [], Path.Combine(source, "eval"));
            var artifact = Path.Combine(source, "artifact");
            if (File.Exists(Path.Combine(artifact, ModelArtifact.ManifestFile)))
                return FromArtifact(ModelArtifact.Load(artifact), Path.GetFullPath(source), ReadHistory(Path.Combine(source, "history.csv")), Path.Combine(source, "eval"));
            return FromRunFolder(source);
        }
        if (File.Exists(source) && source.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            return FromArtifact(ModelArtifact.Load(source), Path.GetFullPath(source), [], Path.ChangeExtension(source, null) + "-eval");
        return FromRegistry(source, home);
    }

    private static EvalModel FromRegistry(string source, string? home)
    {
        var separator = source.IndexOf(':', StringComparison.Ordinal);
        var (name, reference) = separator < 0 ? (source, null) : (source[..separator], source[(separator + 1)..]);
        var resolvedHome = ModelLoopHome.Resolve(home);
        if (!IsRegistryName(name) || !File.Exists(Path.Combine(resolvedHome, "registry.db")))
            throw new DirectoryNotFoundException($"MODEL '{source}' is not a folder, an artifact .zip, nor a model in the registry at '{resolvedHome}'. " +
                "Pass a run folder written by `modelloop train --out DIR` (it holds model.json and weights.bin), an artifact, or NAME[:VERSION|ALIAS] with --home.");
        var registry = new ModelRegistry(resolvedHome);
        reference ??= registry.GetAliasVersion(name, "production") is { } production ? production.ToString(CultureInfo.InvariantCulture) : "latest";
        var version = registry.GetVersion(name, reference);
        var loaded = registry.Load(name, reference);
        var history = version.RunId is { } runId ? RunHistory(new RunStore(resolvedHome), runId) : [];
        return FromArtifact(loaded, $"{name} v{version.Version} ({loaded.Path})", history, Path.Combine("eval", $"{name}-v{version.Version}"));
    }

    private static bool IsRegistryName(string name)
    {
        try
        {
            ModelRegistry.CheckName(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static EvalModel FromArtifact(LoadedArtifact loaded, string description, IReadOnlyList<IReadOnlyDictionary<string, double>> history, string reports)
    {
        var metadata = loaded.Metadata;
        var pipeline = metadata.Preprocessing is { } json ? PreprocessingPipeline.FromJson(json.ToJsonString()) : null;
        var regression = pipeline?.Label is { Kind: LabelKind.Value } || metadata.Metrics.ContainsKey("test_mae");
        return new EvalModel(loaded.Model, loaded.Spec, history, regression, description)
        {
            Pipeline = pipeline,
            Split = metadata.Lineage.Split,
            DatasetHash = metadata.Lineage.DatasetManifestHash,
            DefaultReportFolder = reports,
        };
    }

    private static EvalModel FromRunFolder(string source)
    {
        var spec = Path.Combine(source, "model.json");
        var weights = Path.Combine(source, "weights.bin");
        foreach (var file in new[] { spec, weights })
            if (!File.Exists(file))
                throw new FileNotFoundException($"The run folder '{source}' has no {Path.GetFileName(file)}; expected model.json and weights.bin as `modelloop train` writes them (or an artifact/ folder). Was the run finished?", file);
        var modelSpec = ModelSpec.Load(spec);
        var model = Model.FromSpec(modelSpec);
        model.LoadWeights(weights);
        return new EvalModel(model, modelSpec, ReadHistory(Path.Combine(source, "history.csv")), WasRegression(Path.Combine(source, "summary.json")), Path.GetFullPath(source))
        {
            DefaultReportFolder = Path.Combine(source, "eval"),
        };
    }

    /// <summary>The run's epoch metrics from the run store, one row per epoch (batch/… points left out).</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, double>> RunHistory(RunStore store, string runId)
    {
        var metrics = store.GetMetrics(runId).Where(m => !m.Key.StartsWith("batch/", StringComparison.Ordinal) && !m.Key.StartsWith("test_", StringComparison.Ordinal)).ToArray();
        var epochs = metrics.SelectMany(m => m.Value.Select(p => p.Step)).Distinct().Order().ToArray();
        return epochs.Select(step => (IReadOnlyDictionary<string, double>)metrics
            .Where(m => m.Value.Any(p => p.Step == step))
            .ToDictionary(m => m.Key, m => m.Value.Last(p => p.Step == step).Value)).ToArray();
    }

    /// <summary>
    /// history.csv as MetricsLogger writes it: a header of metric names, then one row of invariant-culture numbers
    /// per epoch (no quoting ever occurs, so a plain split is exact). Missing file: no history.
    /// </summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, double>> ReadHistory(string path)
    {
        if (!File.Exists(path))
            return [];
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2)
            return [];
        var keys = lines[0].Split(',');
        return lines.Skip(1).Select(line =>
        {
            var values = line.Split(',');
            var row = new Dictionary<string, double>();
            for (var i = 0; i < keys.Length && i < values.Length; i++)
                if (double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    row[keys[i]] = v;
            return (IReadOnlyDictionary<string, double>)row;
        }).ToArray();
    }

    /// <summary>A run trained with MSE reports "mae" as its test metric (see TrainCommand).</summary>
    private static bool WasRegression(string summaryPath)
    {
        if (!File.Exists(summaryPath))
            return false;
        using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
        return summary.RootElement.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.Object && test.TryGetProperty("mae", out _);
    }
}
