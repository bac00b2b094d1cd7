using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Loop;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// What a <c>language.lora</c> section changes in a <see cref="Training.LanguageModelTraining"/> run, in the order the run
/// asks: <see cref="Open"/> validates the section and loads the base (its tokenizer reads the corpus, its architecture
/// replaces the config's); <see cref="Prepare"/> makes the job's model spec the base's; <see cref="Attach"/> measures the
/// base on the run's validation and test windows, then creates the adapter and hands the job the base as its model with
/// a <see cref="LoraPlugin"/>; <see cref="Finish"/> saves the trained adapter alone into the run folder. The job itself —
/// optimizer, schedule, clipping, checkpoints, tracking, registration — is the one every run uses.
/// </summary>
internal sealed class LoraRun : IDisposable
{
    private readonly LanguageModelPackage _base;
    private readonly string _baseFolder;
    private readonly LoraOptions _options;
    private LoraAdapter? _adapter;
    private double _baseValidationLoss = double.NaN, _baseTestLoss = double.NaN;

    private LoraRun(LanguageModelPackage basePackage, string baseFolder, LoraOptions options, TrainingConfig config)
    {
        _base = basePackage;
        _baseFolder = baseFolder;
        _options = options;
        Config = config;
    }

    /// <summary>The run's config: the language section's size fields and tokenizer are the base's, and the seed is fixed.</summary>
    public TrainingConfig Config { get; }

    /// <summary>The base's tokenizer, which reads the fine-tuning corpus.</summary>
    public ITextTokenizer Tokenizer => _base.Tokenizer;

    /// <summary>Null for a config without <c>language.lora</c>; otherwise the base, loaded and checked against the config.</summary>
    /// <exception cref="ArgumentException">A field of the config that a LoRA fine-tune cannot honour, or a base that is not a GPT; the message names the field.</exception>
    public static LoraRun? Open(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Language is not { Lora: { } lora } language)
            return null;
        var options = LoraFineTuning.Options(lora);
        options.Validate(field => "language.lora." + char.ToLowerInvariant(field[0]) + field[1..]);
        if (string.IsNullOrWhiteSpace(lora.Base))
            throw new ArgumentException("language.lora.base is empty; name the language-model package or `lm train` run folder to fine-tune (model/ or artifact/, and tokenizer/).");
        Refuse(config.InitFrom is not null || config.TransferFrom is not null, "initFrom/transferFrom", "language.lora.base already names the starting weights; remove initFrom and transferFrom");
        Refuse(config.Freeze.Count > 0, "freeze", "the base is frozen and only the adapters train; remove freeze");
        Refuse(config.Precision != Precision.Float32, $"precision {config.Precision}", "the bfloat16 copy of the network is built from the spec, without the adapters; use precision Float32");
        Refuse(config.EarlyStopping is { RestoreBestWeights: true }, "earlyStopping.restoreBestWeights", "the adapters are merged into the weights when training ends; set restoreBestWeights false");

        var folder = Path.GetFullPath(lora.Base);
        LanguageModelPackage package;
        try
        {
            package = LanguageModelPackage.Load(folder);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ArgumentException($"language.lora.base '{lora.Base}': {e.Message}", e);
        }
        try
        {
            var spec = package.Model.ToSpec();
            if (spec.Layers is not [Gpt gpt])
                throw new ArgumentException($"language.lora.base '{lora.Base}' is not a GPT language model (its layers: {string.Join(", ", spec.Layers.Select(l => l.GetType().Name))}); fine-tune a package written by `lm train` or `lm import`.");
            var block = (int)spec.InputShape[0];
            var kind = package.Tokenizer switch
            {
                CharTokenizer => "char",
                ByteLevelBpeTokenizer => "bpe",
                var other => throw new ArgumentException($"language.lora.base '{lora.Base}' reads text with a {other.GetType().Name}; a fine-tune saves its tokenizer with the model, which needs a character or byte-level BPE tokenizer."),
            };
            var defaults = new LanguageConfig();
            foreach (var (field, given, fallback, actual) in new (string, object, object, object)[]
            {
                ("blockSize", language.BlockSize, defaults.BlockSize, block), ("layers", language.Layers, defaults.Layers, gpt.Layers),
                ("heads", language.Heads, defaults.Heads, gpt.Heads), ("width", language.Width, defaults.Width, gpt.Width),
                ("tokenizer", language.Tokenizer, defaults.Tokenizer, kind),
            })
                if (!Equals(given, fallback) && !Equals(given, actual))
                    throw new ArgumentException($"language.{field} is {given} but the base '{lora.Base}' has {actual}; a LoRA fine-tune keeps the base's model and tokenizer. Remove language.{field} (or set it to {actual}).");
            var adapted = config with
            {
                Language = language with
                {
                    BlockSize = block, Layers = gpt.Layers, Heads = gpt.Heads, Width = gpt.Width, Dropout = gpt.Dropout, Bias = gpt.Bias,
                    Tokenizer = kind, VocabularySize = kind == "bpe" ? package.Tokenizer.VocabularySize : language.VocabularySize,
                },
                // Fixed here, not by the job: it also seeds the adapters' initialization, made before the job starts.
                Seed = config.Seed ?? Random.Shared.NextInt64(1, int.MaxValue),
            };
            return new LoraRun(package, folder, options, adapted);
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    /// <summary>The job's config: <paramref name="prepared"/> (from <c>LanguageModelTraining.Prepare</c>) with the base's own spec as the model.</summary>
    public TrainingConfig Prepare(TrainingConfig prepared) =>
        prepared with { Model = new ModelConfig { Zoo = null, Spec = JsonNode.Parse(_base.Model.ToSpec().ToJson()) } };

    /// <summary>
    /// Scores the base alone on the run's validation and test windows, creates the adapter (seeded by the config's seed),
    /// attaches it through a <see cref="LoraPlugin"/> and returns the job options that train the base with it.
    /// </summary>
    public TrainingJobOptions Attach(TrainingJobOptions options, TrainingConfig prepared, LoadedData data)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = _base.Model;
        model.Compile(OptimizerOptions.AdamW(), Loss.CrossEntropy());
        if (data.Validation is { } validation)
            _baseValidationLoss = model.Evaluate(validation)["loss"];
        _baseTestLoss = model.Evaluate(data.Test)["loss"];
        TorchSharp.torch.random.manual_seed(prepared.Seed!.Value);
        _adapter = LoraAdapter.Create(model, _options, _baseFolder);
        var plugin = LoraPlugin.Attach(model, _adapter);
        var adapterFolder = Path.GetFullPath(Path.Combine(options.OutputDirectory, LoraFineTuning.AdapterFolder));
        options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"LoRA on {_baseFolder}: rank {_options.Rank}, α {_options.Alpha}, {_adapter.Modules.Count} projections, {_adapter.ParameterCount:N0} trainable parameters ({_adapter.SizeRatio:P2} of the base's {_adapter.BaseParameterCount:N0}); base validation loss {_baseValidationLoss:F4}."));
        return options with
        {
            InitialModel = model,
            Plugins = [plugin, .. options.Plugins],
            ParentModel = _baseFolder,
            RunName = options.RunName ?? "gpt-lora",
            Parameters = new Dictionary<string, string>(options.Parameters)
            {
                ["lora_base"] = _baseFolder,
                ["lora_rank"] = _options.Rank.ToString(CultureInfo.InvariantCulture),
                ["lora_alpha"] = _options.Alpha.ToString(CultureInfo.InvariantCulture),
                ["lora_dropout"] = _options.Dropout.ToString(CultureInfo.InvariantCulture),
                ["lora_targets"] = string.Join(",", _options.Targets),
            },
            // A registered fine-tune is the merged model; these tags lead a server to the base and the adapter alone.
            Tags = options.RegisterAs is null ? options.Tags : new Dictionary<string, string>(options.Tags)
            {
                ["lora_base"] = _baseFolder,
                ["lora_adapter"] = adapterFolder,
            },
            PackageMetrics = trained =>
            {
                var metrics = new Dictionary<string, double>(options.PackageMetrics?.Invoke(trained) ?? new Dictionary<string, double>())
                {
                    ["base_test_loss"] = _baseTestLoss,
                };
                if (!double.IsNaN(_baseValidationLoss))
                    metrics["base_val_loss"] = _baseValidationLoss;
                return metrics;
            },
        };
    }

    /// <summary>Saves the trained adapter alone under the run folder and sums up the fine-tune.</summary>
    public LoraFineTuningResult Finish(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var adapter = _adapter ?? throw new InvalidOperationException("LoraRun.Finish runs after Attach.");
        var folder = Path.Combine(result.RunDirectory, LoraFineTuning.AdapterFolder);
        var bytes = adapter.Save(folder);
        var modelFolder = Directory.Exists(Path.Combine(_baseFolder, LanguageModelPackage.ModelFolder)) ? LanguageModelPackage.ModelFolder : LanguageModelPackage.RunModelFolder;
        var baseBytes = new FileInfo(Path.Combine(_baseFolder, modelFolder, ModelArtifact.WeightsFile)).Length;
        var last = result.History.Epochs.LastOrDefault();
        return new LoraFineTuningResult(folder, _baseFolder, _baseValidationLoss, last?.GetValueOrDefault("val_loss", double.NaN) ?? double.NaN,
            _baseTestLoss, result.Test["loss"], adapter.ParameterCount, adapter.BaseParameterCount, bytes, baseBytes);
    }

    public void Dispose()
    {
        _adapter?.Dispose();
        _base.Dispose();
    }

    private static void Refuse(bool condition, string field, string reason)
    {
        if (condition)
            throw new ArgumentException($"{field} does not apply to a LoRA fine-tune (language.lora): {reason}.");
    }
}
