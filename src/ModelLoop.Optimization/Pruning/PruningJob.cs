using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Loop;
using ModelLoop.Modeling;

namespace ModelLoop.Optimization.Pruning;

/// <summary>
/// Prunes a trained package and fine-tunes it on the data it was trained on (through its own pipeline), writing a new
/// package whose lineage names the parent and whose metrics hold "sparsity" and "parameters_nonzero" beside the test
/// metrics. Unstructured pruning keeps the architecture and holds the zeros with <see cref="MagnitudePruning"/>; channel
/// pruning trains the smaller model <see cref="ChannelPruning"/> cut. `modelloop optimize MODEL --prune 0.9` is this job.
/// </summary>
/// <example><code>
/// var result = PruningJob.Run("fashion:champion", new PruningOptions { Sparsity = 0.9, Schedule = PruningSchedule.Polynomial });
/// Console.WriteLine($"{result.Sparsity.Overall:P1} sparse, accuracy {result.Test["accuracy"]:P2} (was {result.ParentTest["accuracy"]:P2})");
/// </code></example>
public static class PruningJob
{
    /// <param name="parent">A run folder, package folder or .zip, or a registry reference NAME[:VERSION|ALIAS].</param>
    /// <exception cref="ArgumentException">Bad options (named), or a model that cannot be pruned as asked; nothing was written.</exception>
    public static PruningResult Run(string parent, PruningOptions options, PruningJobOptions? jobOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        jobOptions ??= new PruningJobOptions();
        if (jobOptions.Epochs < 1)
            throw new ArgumentException($"Epochs (fine-tuning epochs) must be at least 1; received {jobOptions.Epochs}.", nameof(jobOptions));
        if (jobOptions.LearningRate is { } rate && !(rate > 0))
            throw new ArgumentException($"LearningRate must be positive when given; received {rate.ToString(CultureInfo.InvariantCulture)}.", nameof(jobOptions));
        Native.TorchRuntime.EnsureLoaded();
        var training = jobOptions.Training;
        using var source = ParentPackage.Open(parent, training.Home, "parent model", jobOptions.Data);
        using var data = source.LoadData(jobOptions.Data);
        var parentTest = source.Evaluate(data);
        var parentParameters = source.Model.ParameterCount;
        var log = training.Log;

        ChannelPruningResult? channels = null;
        MagnitudePruning? plugin = null;
        Model model;
        if (options.Structure == PruningStructure.Channels)
        {
            channels = ChannelPruning.Prune(source.Model, options.Sparsity);
            model = channels.Model;
            log?.Invoke($"Channel pruning: {string.Join(", ", channels.Layers.Select(l => $"{l.Name} {l.Before} → {l.After}"))}; {parentParameters:N0} → {model.ParameterCount:N0} parameters.");
        }
        else
        {
            var config = source.Config;
            var batches = (data.Train.Count + config.BatchSize - 1) / config.BatchSize;
            var steps = (batches + config.AccumulateGradientBatches - 1) / config.AccumulateGradientBatches * jobOptions.Epochs;
            plugin = new MagnitudePruning(options with { RampSteps = options.RampSteps ?? (int)Math.Max(1, steps / 2) });
            model = source.Model;
        }
        try
        {
            var config = source.Config with
            {
                Model = channels is null ? source.Config.Model : new ModelConfig { Spec = JsonNode.Parse(model.ToSpec().ToJson()) },
                Data = jobOptions.Data ?? source.Config.Data,
                Epochs = jobOptions.Epochs,
                Optimizer = source.Config.Optimizer with { LearningRate = jobOptions.LearningRate ?? source.LearningRate / 10 },
                Schedule = null,
                Seed = jobOptions.Seed ?? source.Config.Seed,
                InitFrom = null,
                TransferFrom = null,
            };
            var method = channels is null
                ? $"magnitude pruning ({options.Scope.ToString().ToLowerInvariant()}, {options.Schedule.ToString().ToLowerInvariant()})"
                : "channel pruning (L1 norm)";
            SparsityReport? sparsity = null;
            var result = TrainingJob.Run(config, data, training with
            {
                InitialModel = model,
                ParentModel = source.Reference,
                Plugins = plugin is null ? training.Plugins : [.. training.Plugins, plugin],
                Description = training.Description ?? $"{method} of {source.Reference} to {options.Sparsity.ToString("P1", CultureInfo.InvariantCulture)}, fine-tuned {jobOptions.Epochs} epoch(s)",
                Parameters = new Dictionary<string, string>(training.Parameters)
                {
                    ["optimization"] = channels is null ? "prune_weights" : "prune_channels",
                    ["pruning_method"] = method,
                    ["target_sparsity"] = options.Sparsity.ToString(CultureInfo.InvariantCulture),
                    ["parent_model"] = source.Reference,
                },
                PackageMetrics = trained =>
                {
                    sparsity = SparsityReport.Measure(trained, options.Exclude);
                    return new Dictionary<string, double>
                    {
                        ["sparsity"] = sparsity.Overall,
                        ["parameters_nonzero"] = trained.ParameterCount - sparsity.Zeros,
                        ["parent_parameters"] = parentParameters,
                    };
                },
            });
            log?.Invoke($"Sparsity of the prunable weights:{Environment.NewLine}{sparsity}");
            return new PruningResult
            {
                PackagePath = result.PackagePath,
                Test = result.Test,
                ParentTest = parentTest,
                Parameters = result.Parameters,
                NonZeroParameters = result.Parameters - sparsity!.Zeros,
                ParentParameters = parentParameters,
                Sparsity = sparsity,
                Channels = channels?.Layers ?? [],
                Training = result,
            };
        }
        finally
        {
            channels?.Model.Dispose();
        }
    }
}
