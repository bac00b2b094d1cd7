using System.Globalization;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.IO;
using ModelLoop.Modeling;
using ModelLoop.Registry;
using ModelLoop.Storage;
using ModelLoop.Tracking;
using ModelLoop.Training;
using ModelLoop.Training.Callbacks;

namespace ModelLoop.Loop;

/// <summary>
/// Runs one <see cref="TrainingConfig"/>: data through <see cref="DataSource"/> → the model → training on the training
/// part, validated on the validation part every epoch → one final evaluation on the test part → the run folder and the
/// model package, tracked in the run store and optionally registered. `modelloop train`, the demo, and every later
/// caller that trains (a search trial, a retraining on feedback, a federated round) are a TrainingJob with another config.
/// </summary>
/// <remarks>
/// A run folder holds config.json (the config as run, seed included), history.csv (one row per epoch), summary.json,
/// dataset.json (the dataset manifest), artifact/ (the model package) and, last, checksums.json (<see cref="RunFolderChecksums"/>).
/// Every file is written atomically.
/// </remarks>
public static class TrainingJob
{
    /// <summary>Loads the config's data and runs it.</summary>
    /// <exception cref="ArgumentException">The config is invalid; nothing was trained.</exception>
    public static TrainingResult Run(TrainingConfig config, TrainingJobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Native.TorchRuntime.EnsureLoaded();
        using var data = WarmStart.LoadData(config, options?.Home);
        return Run(config, data, options);
    }

    /// <summary>Runs the config on data already loaded with its <see cref="TrainingConfig.Data"/> (several runs on one load).</summary>
    public static TrainingResult Run(TrainingConfig config, LoadedData data, TrainingJobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TrainingJobOptions();
        config.Validate();
        if (data.Task != config.Task)
            throw new ArgumentException($"The data was loaded for {data.Task} but the config trains {config.Task}; load it with the config's task.");
        // The privacy section is honoured by the DP-SGD plugin of ModelLoop.Privacy, which the core cannot reference:
        // without it the run would train without privacy while its config claims a budget.
        if (config.Privacy is not null && !options.Plugins.Any(p => p.EnforcesPrivacy))
            throw new ArgumentException("The config has a privacy section (epsilon " + (config.Privacy.Epsilon?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset")
                + ") but no differentially private plugin runs, so training would not be private. Train it with `modelloop train` or "
                + "ModelLoop.Privacy.Sgd.PrivateTraining.Run (they add DP-SGD), or remove the privacy section.");
        foreach (var (monitor, field) in new[] { (config.EarlyStopping?.Monitor, "earlyStopping"), (config.ReduceOnPlateau?.Monitor, "reduceOnPlateau") })
            if (monitor is not null && monitor.StartsWith("val_", StringComparison.Ordinal) && data.Validation is null)
                throw new ArgumentException($"{field} monitors '{monitor}', but data.validation is 0, so there is no validation split. Set data.validation (e.g. 0.1) or monitor a training metric.");
        var seed = config.Seed ?? Random.Shared.NextInt64(1, int.MaxValue);
        TorchSharp.torch.random.manual_seed(seed);
        using var built = options.InitialModel is null ? WarmStart.Model(config, data, options.Home, options.Log) : null;
        var model = built ?? CheckInitialModel(options.InitialModel!, config, data);
        CheckInputs(model, data);
        model.To(options.Device);
        model.Compile(ConfigBuilders.Optimizer(config.Optimizer), ConfigBuilders.Loss(config), ConfigBuilders.Metrics(config), new CompileOptions
        {
            ClipGradientNorm = config.ClipGradientNorm,
            L1 = config.L1,
            L2 = config.L2,
            Trainable = config.Freeze.Count == 0 ? null : name => !config.Freeze.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)),
            ParameterGroups = ConfigBuilders.ParameterGroups(config.ParameterGroups),
        });
        options.Log?.Invoke(model.Summary(TextWriter.Null));
        var ran = config with { Seed = seed };

        var folder = options.OutputDirectory;
        Directory.CreateDirectory(folder);
        ran.Save(Path.Combine(folder, "config.json"));
        var datasetHash = data.Manifest.Hash;
        var encrypted = options.EncryptionKey is not null;
        if (!encrypted)
            data.Manifest.Save(Path.Combine(folder, "dataset.json"));
        var home = ModelLoopHome.Resolve(options.Home);
        var callbacks = new List<Callback> { new MetricsLogger(Path.Combine(folder, "history.csv")) };
        if (config.EarlyStopping is { } early)
            callbacks.Add(new EarlyStopping(early.Monitor, early.Patience, restoreBestWeights: early.RestoreBestWeights));
        if (config.ReduceOnPlateau is { } plateau)
            callbacks.Add(new ReduceLROnPlateau(plateau.Monitor, plateau.Factor, plateau.Patience, plateau.MinLearningRate));
        callbacks.AddRange(options.Callbacks);
        var tracker = options.Track
            ? new RunTracker(new RunStore(home), options.RunName ?? config.Model.Zoo ?? "spec", RunParameters(ran, options), datasetHash) { FinishOnTrainEnd = false }
            : null;
        if (tracker is not null)
            callbacks.Add(tracker);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        History history;
        IReadOnlyDictionary<string, double> test;
        string package = Path.Combine(folder, "artifact"), packageSha;
        try
        {
            history = model.Fit(data.Train, new FitOptions
            {
                Epochs = config.Language?.Epochs ?? config.Epochs,
                BatchesPerEpoch = config.Language is { } language ? language.StepsPerEpoch * config.AccumulateGradientBatches : null,
                BatchSize = config.BatchSize,
                Seed = seed,
                Precision = config.Precision,
                Schedule = ConfigBuilders.Schedule(config.Schedule),
                Augment = ConfigBuilders.Augmentation(config.Augment),
                CheckpointPath = options.CheckpointPath,
                Progress = options.Progress,
                AccumulateGradientBatches = config.AccumulateGradientBatches,
                Plugins = options.Plugins,
            }, data.Validation, callbacks);
            if (history.Seed != seed)
            {
                // Resumed from a checkpoint: the run's seed is the one the checkpoint started with.
                ran = ran with { Seed = history.Seed };
                ran.Save(Path.Combine(folder, "config.json"));
            }
            test = model.Evaluate(data.Test);
            var metadata = new ArtifactMetadata
            {
                Task = config.Task,
                Output = OutputSchema(model, data),
                Metrics = PackageMetrics(model, test, options),
                Description = options.Description,
                Preprocessing = data.Pipeline is { } pipeline ? System.Text.Json.Nodes.JsonNode.Parse(pipeline.ToJson()) : null,
                Lineage = new ArtifactLineage(datasetHash, tracker?.RunId) { Split = data.Split, ParentModel = config.InitFrom ?? config.TransferFrom ?? options.ParentModel },
                Config = ran.ToJsonNode(),
            };
            // Drift monitoring profiles items and predictions; a language model's next-token logits per position are not yet profiled.
            if (config.Language is null)
                metadata = metadata with { Reference = Reference(model, PackageInfo.From(metadata), data, options, history.Seed) };
            packageSha = ModelArtifact.Save(model, package, metadata, new ArtifactSaveOptions { Overwrite = true, EncryptionKey = options.EncryptionKey, SigningKey = options.SigningKey });
        }
        catch (Exception e)
        {
            tracker?.Fail(e);
            throw;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (encrypted && options.CheckpointPath is { } checkpoint && File.Exists(checkpoint))
            File.Delete(checkpoint); // it holds plain weights; the encrypted package is the model now
        WriteSummary(folder, ran, data, history, test, seconds, model.ParameterCount, tracker?.RunId, datasetHash);
        RunFolderChecksums.Write(folder); // last: it covers every file above
        if (tracker?.RunId is { } runId)
        {
            new RunStore(home).LogArtifact(runId, "artifact", package, packageSha);
            tracker.Finish(test.ToDictionary(p => "test_" + p.Key, p => p.Value));
        }
        var registered = options.RegisterAs is { } name
            ? new ModelRegistry(home).Register(name, package, new RegisterOptions
            {
                Aliases = options.Aliases,
                EncryptionKey = options.EncryptionKey,
                Description = options.Description,
                Tags = options.Tags,
            })
            : null;
        return new TrainingResult
        {
            RunDirectory = folder,
            PackagePath = package,
            PackageSha256 = packageSha,
            Config = ran,
            History = history,
            Test = test,
            Seconds = seconds,
            DatasetHash = datasetHash,
            Parameters = model.ParameterCount,
            RunId = tracker?.RunId,
            Registered = registered,
        };
    }

    /// <summary>
    /// What drift monitoring compares live traffic with: training features with held-out embeddings and predictions, or
    /// everything from <see cref="TrainingJobOptions.ReferenceSource"/> when given.
    /// </summary>
    private static ReferenceProfile Reference(Model model, PackageInfo info, LoadedData data, TrainingJobOptions options, long seed)
    {
        if (options.ReferenceSource is not { } source)
            return ReferenceProfileBuilder.Build(model, info, data.Train, data.TrainRows, data.Validation ?? data.Test,
                data.Validation is null ? "test" : "validation", seed);
        var (items, rows) = DataSource.LoadLabelled(source, info, model.InputShape, "the model being trained");
        using (items)
            return ReferenceProfileBuilder.Build(model, info, items, rows, items, "reference source", seed);
    }

    /// <summary>The test metrics ("test_" + name) and whatever <see cref="TrainingJobOptions.PackageMetrics"/> adds.</summary>
    private static Dictionary<string, double> PackageMetrics(Model model, IReadOnlyDictionary<string, double> test, TrainingJobOptions options)
    {
        var metrics = test.ToDictionary(p => "test_" + p.Key, p => p.Value);
        if (options.PackageMetrics?.Invoke(model) is { } extra)
            foreach (var (name, value) in extra)
                metrics[name] = value;
        return metrics;
    }

    /// <summary>A given network must be the one the config describes, since the package records the config as what made it.</summary>
    private static Model CheckInitialModel(Model model, TrainingConfig config, LoadedData data)
    {
        if (config.InitFrom is not null || config.TransferFrom is not null)
            throw new ArgumentException("TrainingJobOptions.InitialModel gives the starting weights, so the config cannot also name initFrom or transferFrom; drop one of them.");
        using var described = ConfigBuilders.Model(config.Model, data.Train.SampleShape, data.Outputs);
        if (described.ToSpec().ToJson() != model.ToSpec().ToJson())
            throw new ArgumentException($"TrainingJobOptions.InitialModel ({model.ParameterCount:N0} parameters, {string.Join(", ", model.LayerSummaries.Select(l => $"{l.Name} {l.OutputShape}"))}) " +
                "is not the network the config's model section builds. Set config.Model to { spec: <its spec> } (Model.ToSpec()) so the package records what it holds.");
        return model;
    }

    /// <summary>Class names name a classifier's outputs when there is one output per class; a regressor's outputs are named after the label.</summary>
    private static TensorSchema OutputSchema(Model model, LoadedData data)
    {
        var shape = model.OutputShape.ToArray();
        var width = shape[^1];
        IReadOnlyList<string>? names = data.Task == ModelTask.Classification
            ? data.ClassNames is { } classes && classes.Count == width ? classes : null
            : width == 1 && data.Pipeline?.Label is { } label ? [label.Name] : null;
        return new TensorSchema(shape, "F32", names);
    }

    /// <summary>Checks, before the first step, that what the pipeline produces is something the network's first layer can read.</summary>
    private static void CheckInputs(Model model, LoadedData data)
    {
        if (!data.Train.SampleShape.Equals(model.InputShape))
            throw new ArgumentException($"The data's samples have shape {data.Train.SampleShape}, but the model takes {model.InputShape}. Use a model spec whose inputShape is {data.Train.SampleShape}, or a zoo model (sized from the data).");
        // Token ids are categories, not magnitudes: only a model that starts with an Embedding may read them.
        if (model.InputKind == InputKind.Float && data.Pipeline is { Image: null } pipeline)
            pipeline.CheckFitsDenseInput();
    }

    private static Dictionary<string, string> RunParameters(TrainingConfig config, TrainingJobOptions options)
    {
        var parameters = new Dictionary<string, string>(options.Parameters)
        {
            ["model"] = config.Model.Zoo ?? "spec",
            ["data"] = config.Data.Source,
            ["task"] = config.Task.ToString(),
            ["optimizer"] = config.Optimizer.Name,
            ["learning_rate"] = config.Optimizer.LearningRate?.ToString(CultureInfo.InvariantCulture) ?? "default",
            ["loss"] = config.Loss,
            ["epochs"] = config.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = config.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["precision"] = config.Precision.ToString(),
            ["schedule"] = config.Schedule?.Name ?? "constant",
            ["seed"] = config.Seed?.ToString(CultureInfo.InvariantCulture) ?? "random",
            ["limit"] = config.Data.Limit?.ToString(CultureInfo.InvariantCulture) ?? "all",
            ["config_hash"] = config.Hash,
        };
        return parameters;
    }

    private static void WriteSummary(string folder, TrainingConfig config, LoadedData data, History history, IReadOnlyDictionary<string, double> test,
        double seconds, long parameters, string? runId, string datasetHash)
    {
        var summary = new
        {
            parameters,
            task = config.Task.ToString(),
            trainSamples = data.Train.Count,
            validationSamples = data.Validation?.Count ?? 0,
            testSamples = data.Test.Count,
            epochs = history.Epochs.Count,
            seed = history.Seed,
            trainingSeconds = Math.Round(seconds, 2),
            stopReason = history.StopReason,
            test,
            lastEpoch = history.Epochs.LastOrDefault(),
            runId,
            datasetHash,
            configHash = config.Hash,
        };
        AtomicFile.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
    }
}
