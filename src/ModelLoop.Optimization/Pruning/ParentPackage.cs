using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Modeling;

namespace ModelLoop.Optimization.Pruning;

/// <summary>
/// The trained package a compression job starts from (pruning's parent, distillation's teacher): resolved like every
/// MODEL argument, with the config that trained it, its data reloaded through its own fitted pipeline, and its test
/// metrics on that data.
/// </summary>
internal sealed class ParentPackage : IDisposable
{
    private readonly ResolvedModel _resolved;

    private ParentPackage(ResolvedModel resolved, string reference, TrainingConfig config)
    {
        _resolved = resolved;
        Config = config;
        Reference = resolved.RegistryVersion is { } version ? $"{version.Name}:{version.Version.ToString(CultureInfo.InvariantCulture)}" : resolved.Description;
        Given = reference;
    }

    /// <summary>A stable name for lineage: NAME:VERSION for a registry model, else the package's full path.</summary>
    public string Reference { get; }
    /// <summary>What the caller passed.</summary>
    public string Given { get; }
    public ModelPackage Package => _resolved.Package;
    public Model Model => Package.Model;
    /// <summary>The config that trained the package.</summary>
    public TrainingConfig Config { get; }

    /// <exception cref="ArgumentException">The package records no training config and no data was given.</exception>
    public static ParentPackage Open(string reference, string? home, string role, DataConfig? data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var resolved = ModelResolver.Resolve(reference, home);
        var config = resolved.Config;
        if (config is null && data is null)
        {
            resolved.Dispose();
            throw new ArgumentException($"The {role} '{reference}' records no training config, so its data and optimizer are unknown. Pass the data (the job options' Data) or use a package written by TrainingJob / `modelloop train`.");
        }
        config ??= new TrainingConfig { Data = data!, Model = new ModelConfig { Spec = System.Text.Json.Nodes.JsonNode.Parse(resolved.Package.Spec.ToJson()) } };
        return new ParentPackage(resolved, reference, config);
    }

    /// <summary>The data the package was trained on (or <paramref name="data"/>), through the package's own pipeline.</summary>
    public LoadedData LoadData(DataConfig? data) => ChampionChallenger.LoadFor(Package, data ?? Config.Data);

    /// <summary>The package's loss and metrics on the test part, as TrainingJob reports them for the new model.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(LoadedData data)
    {
        Model.Compile(ConfigBuilders.Optimizer(Config.Optimizer), ConfigBuilders.Loss(Config), ConfigBuilders.Metrics(Config));
        return Model.Evaluate(data.Test);
    }

    /// <summary>The learning rate the config trains with: its own, else the optimizer's default.</summary>
    public double LearningRate => Config.Optimizer.LearningRate ?? ConfigBuilders.Optimizer(Config.Optimizer).LearningRate;

    public void Dispose() => _resolved.Dispose();
}
