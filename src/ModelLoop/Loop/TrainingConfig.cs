using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelLoop.Artifacts;
using ModelLoop.IO;
using ModelLoop.Training;

namespace ModelLoop.Loop;

/// <summary>
/// Everything a training run needs, in one serializable record (JSON or YAML) with a stable content hash: the model,
/// the data and its split, optimizer, loss, schedule, epochs, batch, precision, augmentation, the monitoring callbacks
/// (early stopping, lowering the rate on a plateau), frozen parameters, gradient accumulation and seed.
/// <see cref="TrainingJob.Run"/> runs one; every run folder and model package holds the config that made it. This is
/// the unit a search trial, a retraining on feedback or a federated round changes and runs again.
/// </summary>
/// <example>
/// <code>
/// model: { zoo: mlp, hidden: [64, 32] }
/// data: { source: datasets/breast_cancer.csv, label: target, validation: 0.1, test: 0.2, splitSeed: 7 }
/// optimizer: { name: adam, learningRate: 0.001 }
/// epochs: 20
/// batchSize: 32
/// earlyStopping: { monitor: val_loss, patience: 3 }
/// </code>
/// </example>
public sealed record TrainingConfig
{
    /// <summary>Defaults to the keras-cnn zoo model.</summary>
    public ModelConfig Model { get; init; } = new() { Zoo = "keras-cnn" };
    /// <summary>Defaults to Fashion-MNIST with 10% of the training images for validation.</summary>
    public DataConfig Data { get; init; } = new();
    /// <summary>Defaults to Adam at its default rate.</summary>
    public OptimizerConfig Optimizer { get; init; } = new();
    /// <summary>cross_entropy, binary_cross_entropy or mse. Defaults to cross_entropy.</summary>
    public string Loss { get; init; } = "cross_entropy";
    /// <summary>Label smoothing of cross_entropy. Defaults to 0.</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>Metrics logged every epoch. Defaults to empty: accuracy for classification, mae for regression.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = [];
    /// <summary>Defaults to null (a constant rate).</summary>
    public ScheduleConfig? Schedule { get; init; }
    /// <summary>Defaults to 1.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Defaults to 64.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Defaults to Float32.</summary>
    public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>Training-time image augmentation, in order: flip, crop, rotate, noise, erase. Defaults to none.</summary>
    public IReadOnlyList<string> Augment { get; init; } = [];
    /// <summary>Defaults to null (train every epoch).</summary>
    public EarlyStoppingConfig? EarlyStopping { get; init; }
    /// <summary>Defaults to null (the schedule alone sets the rate).</summary>
    public ReduceOnPlateauConfig? ReduceOnPlateau { get; init; }
    /// <summary>Clip the global gradient norm to this value. Defaults to null (no clipping).</summary>
    public double? ClipGradientNorm { get; init; }
    /// <summary>L1 penalty on weights. Defaults to 0.</summary>
    public double L1 { get; init; }
    /// <summary>L2 penalty on weights. Defaults to 0.</summary>
    public double L2 { get; init; }
    /// <summary>Step the optimizer every N batches with their mean gradient (a larger effective batch). Defaults to 1.</summary>
    public int AccumulateGradientBatches { get; init; } = 1;
    /// <summary>
    /// Parameters not to train, by name prefix (e.g. "conv2d_1." — names are as <c>model.Summary()</c> shows them):
    /// they keep their initial (or loaded) values and stay out of the optimizer. Defaults to none.
    /// </summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];
    /// <summary>Seeds weights, shuffling, dropout and augmentation. Defaults to null: a random seed, recorded in the run.</summary>
    public long? Seed { get; init; }
    /// <summary>
    /// Fine-tune instead of starting from random weights: a model package (run folder, package folder or .zip) or a
    /// registry reference NAME[:VERSION|ALIAS] (<see cref="ModelResolver"/>, in the job's home). The run starts from its
    /// weights and reuses its fitted pipeline (nothing is refitted), and the new package names it as its parent model.
    /// The config's model must build the same architecture, else the run stops before epoch 1. Defaults to null.
    /// </summary>
    public string? InitFrom { get; init; }
    /// <summary>
    /// Transfer learning: start from the weights of another model (same forms as <see cref="InitFrom"/>) where they fit —
    /// each parameter and buffer of the config's model takes the package's one of the same name and shape; a changed head
    /// (another class count) and new layers keep their fresh initialization. What was loaded, skipped (shape mismatch) and
    /// newly initialized goes to <see cref="TrainingJobOptions.Log"/>, and the new package names the source as its parent
    /// model. Unlike InitFrom the data gets a pipeline fitted on this run's training part (the new task may have other
    /// classes). Combine with <see cref="Freeze"/> and <see cref="ParameterGroups"/>. Defaults to null.
    /// </summary>
    public string? TransferFrom { get; init; }
    /// <summary>
    /// Parameters, by name prefix, that train at their own multiple of the learning rate (e.g. a new head at 10×);
    /// a parameter joins the first group whose prefix it starts with, the rest keep the optimizer's rate. Defaults to null
    /// (none; left out of the JSON, so configs without groups keep their hash).
    /// </summary>
    public IReadOnlyList<ParameterGroupConfig>? ParameterGroups { get; init; }
    /// <summary>
    /// Makes the run a language-model run (corpus, tokenizer, GPT size, nanoGPT's iteration budget): see
    /// <see cref="LanguageConfig"/>; ModelLoop.Language's LanguageModelTraining runs it. Defaults to null (left out of the
    /// JSON, so other configs keep their hash).
    /// </summary>
    public LanguageConfig? Language { get; init; }

    /// <summary>
    /// Differentially private training (DP-SGD with an RDP accountant; see <see cref="PrivacyConfig"/>). Defaults to null
    /// (not private; left out of the JSON, so configs without it keep their hash).
    /// </summary>
    public PrivacyConfig? Privacy { get; init; }

    /// <summary>Classification or regression: <see cref="DataConfig.Task"/> when given, else regression exactly when the loss is mse.</summary>
    [JsonIgnore]
    public ModelTask Task => Data.Task ?? (Training.Loss.Parse(Loss) is var loss && loss == Training.Loss.MeanSquaredError() ? ModelTask.Regression : ModelTask.Classification);

    /// <summary>SHA-256 (hex) of the canonical JSON (keys sorted, no whitespace): equal configs have equal hashes.</summary>
    [JsonIgnore]
    public string Hash => CanonicalJson.Sha256(ToJsonNode());

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public JsonNode ToJsonNode() => JsonSerializer.SerializeToNode(this, Json)!;
    public string ToJson() => ToJsonNode().ToJsonString(Json);
    public string ToYaml() => YamlJson.ToYaml(ToJsonNode());

    /// <exception cref="FormatException">Not a valid config; the message names the field.</exception>
    public static TrainingConfig FromJson(string json, string source = "config") => FromJsonNode(ParseJson(json, source), source);

    /// <exception cref="FormatException">Not a valid config; the message names the field.</exception>
    public static TrainingConfig FromYaml(string yaml, string source = "config") => FromJsonNode(YamlJson.Parse(yaml, $"The training config {source}"), source);

    /// <exception cref="FormatException">Not a valid config; the message names the field.</exception>
    public static TrainingConfig FromJsonNode(JsonNode? node, string source = "config")
    {
        if (node is not JsonObject)
            throw new FormatException($"{source} must be an object with fields such as model, data, optimizer, epochs; received {node?.GetValueKind().ToString() ?? "nothing"}.");
        try
        {
            return node.Deserialize<TrainingConfig>(Json) ?? throw new FormatException($"{source} is empty.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source} is not a valid training config at {e.Path ?? "$"}: {e.Message} Fields: model, data, optimizer, loss, labelSmoothing, metrics, schedule, epochs, batchSize, precision, augment, earlyStopping, reduceOnPlateau, clipGradientNorm, l1, l2, accumulateGradientBatches, freeze, seed, initFrom, transferFrom, parameterGroups, language (data also takes extraTrain and replay).", e);
        }
    }

    /// <summary>
    /// Reads a .json/.yaml/.yml config. A <see cref="ModelConfig.SpecFile"/> is read (relative to the config's folder)
    /// into <see cref="ModelConfig.Spec"/>, and a relative data source that exists relative to the config's folder is made absolute.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">Not a valid config.</exception>
    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The training config '{path}' does not exist. Write one (see samples/configs) or save one with TrainingConfig.Save.", path);
        var text = File.ReadAllText(path);
        var config = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => FromJson(text, path),
            ".yaml" or ".yml" => FromYaml(text, path),
            var ext => throw new FormatException($"The training config '{path}' has extension '{ext}'; use .json, .yaml or .yml."),
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (config.Model.SpecFile is { } specFile)
        {
            var specPath = Path.IsPathRooted(specFile) ? specFile : Path.Combine(folder, specFile);
            var spec = Modeling.ModelSpec.Load(specPath);
            config = config with { Model = config.Model with { SpecFile = null, Zoo = null, Spec = JsonNode.Parse(spec.ToJson()) } };
        }
        string Resolve(string path) =>
            !Path.IsPathRooted(path) && !Path.Exists(path) && Path.Exists(Path.Combine(folder, path)) ? Path.GetFullPath(Path.Combine(folder, path)) : path;
        config = config with { Data = config.Data with { Source = Resolve(config.Data.Source), ExtraTrain = config.Data.ExtraTrain?.Select(Resolve).ToArray() } };
        if (config.InitFrom is { } initFrom)
            config = config with { InitFrom = Resolve(initFrom) };
        if (config.TransferFrom is { } transferFrom)
            config = config with { TransferFrom = Resolve(transferFrom) };
        return config;
    }

    /// <summary>Writes the config as .json or .yaml/.yml (by extension), atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".yaml" or ".yml" => ToYaml(),
        _ => ToJson(),
    });

    /// <summary>
    /// Checks everything that can be checked before data is read: names, ranges, one model choice. Returns the config.
    /// </summary>
    /// <exception cref="ArgumentException">A field is out of range or unknown; the message names it and says what is accepted.</exception>
    public TrainingConfig Validate()
    {
        if (Epochs < 1)
            throw new ArgumentException($"epochs must be at least 1; received {Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentException($"batchSize must be at least 1; received {BatchSize}.");
        if ((Model.Zoo is null) == (Model.Spec is null && Model.SpecFile is null))
            throw new ArgumentException("model needs exactly one of zoo (a zoo name such as mlp or keras-cnn) and spec/specFile (a layer spec).");
        if (Model.Zoo is { } zoo && !Modeling.Zoo.ModelZoo.Names.Contains(zoo.Trim().ToLowerInvariant()))
            throw new ArgumentException($"model.zoo '{zoo}' is not a zoo model; choose one of {string.Join(", ", Modeling.Zoo.ModelZoo.Names)} or give model.spec.");
        if (!(Data.Validation is >= 0 and < 1))
            throw new ArgumentException($"data.validation must be in [0, 1), e.g. 0.1; received {Data.Validation.ToString(CultureInfo.InvariantCulture)}.");
        if (!(Data.Test is > 0 and < 1) || Data.Validation + Data.Test >= 1)
            throw new ArgumentException($"data.test must be in (0, 1) and leave training rows beside data.validation, e.g. 0.2; received test {Data.Test.ToString(CultureInfo.InvariantCulture)}, validation {Data.Validation.ToString(CultureInfo.InvariantCulture)}.");
        if (Data.Limit is < 1)
            throw new ArgumentException($"data.limit must be at least 1 when given; received {Data.Limit}.");
        Privacy?.Validate();
        _ = Training.Loss.Parse(Loss);
        _ = OptimizerOptions.Parse(Optimizer.Name);
        if (Optimizer.Beta2 is { } beta2 && !(beta2 is > 0 and < 1))
            throw new ArgumentException($"optimizer.beta2 must be in (0, 1), e.g. 0.99; received {beta2.ToString(CultureInfo.InvariantCulture)}.");
        _ = ConfigBuilders.Schedule(Schedule);
        _ = ConfigBuilders.Augmentation(Augment);
        if (ReduceOnPlateau is { } plateau && (!(plateau.Factor is > 0 and < 1) || plateau.Patience < 0))
            throw new ArgumentException($"reduceOnPlateau needs 0 < factor < 1 and patience ≥ 0; received factor {plateau.Factor.ToString(CultureInfo.InvariantCulture)}, patience {plateau.Patience}.");
        if (EarlyStopping is { Patience: < 0 })
            throw new ArgumentException($"earlyStopping.patience must be at least 0; received {EarlyStopping.Patience}.");
        if (ClipGradientNorm is { } clip && !(clip > 0))
            throw new ArgumentException($"clipGradientNorm must be positive when given; received {clip.ToString(CultureInfo.InvariantCulture)}.");
        if (AccumulateGradientBatches < 1)
            throw new ArgumentException($"accumulateGradientBatches must be at least 1; received {AccumulateGradientBatches}.");
        if (Data.Replay is { } replay && !(replay > 0 && (replay < 1 || replay == Math.Floor(replay))))
            throw new ArgumentException($"data.replay must be a fraction in (0, 1) or a whole row count ≥ 1, e.g. 0.25 or 2000; received {replay.ToString(CultureInfo.InvariantCulture)}.");
        if (Data.ExtraTrain?.Any(string.IsNullOrWhiteSpace) == true)
            throw new ArgumentException("data.extraTrain holds an empty path; list .csv/.tsv files or image class folders, or leave it out.");
        if (InitFrom is { } initFrom && string.IsNullOrWhiteSpace(initFrom))
            throw new ArgumentException("initFrom is empty; give a run folder, a package folder or .zip, or a registry reference NAME[:VERSION|ALIAS], or leave it out.");
        if (TransferFrom is { } transferFrom && string.IsNullOrWhiteSpace(transferFrom))
            throw new ArgumentException("transferFrom is empty; give a run folder, a package folder or .zip, or a registry reference NAME[:VERSION|ALIAS], or leave it out.");
        if (InitFrom is not null && TransferFrom is not null)
            throw new ArgumentException($"initFrom ('{InitFrom}') and transferFrom ('{TransferFrom}') both give starting weights; keep initFrom to fine-tune the same architecture, or transferFrom to load what fits into a new one.");
        foreach (var group in ParameterGroups ?? [])
        {
            if (string.IsNullOrWhiteSpace(group.Match))
                throw new ArgumentException("parameterGroups[].match is empty; give a parameter name prefix such as \"dense_2.\" (names as model.Summary() shows them).");
            if (!(group.LearningRateScale > 0) || group.WeightDecay is < 0)
                throw new ArgumentException($"parameterGroups '{group.Match}': learningRateScale must be positive and weightDecay at least 0; received {group.LearningRateScale.ToString(CultureInfo.InvariantCulture)} and {group.WeightDecay?.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
        }
        if (Language is { } language)
        {
            language.Validate();
            if (Epochs != 1)
                throw new ArgumentException($"epochs ({Epochs}) does not apply to a language-model run, whose length is language.maxIters steps; remove epochs and set language.maxIters.");
        }
        if (L1 < 0 || L2 < 0)
            throw new ArgumentException($"l1 and l2 must be at least 0; received {L1.ToString(CultureInfo.InvariantCulture)} and {L2.ToString(CultureInfo.InvariantCulture)}.");
        return this;
    }

    private static JsonNode? ParseJson(string json, string source)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source} is not valid JSON: {e.Message}", e);
        }
    }
}
