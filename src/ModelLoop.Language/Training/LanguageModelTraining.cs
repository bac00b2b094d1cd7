using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Language.Adapters;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Registry;
using ModelLoop.Training;

namespace ModelLoop.Language.Training;

/// <summary>
/// Trains a GPT on a text corpus as a <see cref="TrainingJob"/> like any other model — tracked run with its data
/// manifest, progress, per-interval validation, checkpoint and exact resume, bfloat16, registration — from a
/// <see cref="TrainingConfig"/> with a <see cref="LanguageConfig"/> section. The config's optimizer, schedule,
/// clipGradientNorm, accumulateGradientBatches, batchSize, precision and seed apply as in any run; the language section
/// adds the corpus, tokenizer, GPT size and nanoGPT's iteration budget (max_iters, eval_interval, eval_iters).
/// </summary>
/// <remarks>
/// The run folder is a <see cref="LanguageModelPackage"/>: artifact/ (the model, as every run writes it) and tokenizer/
/// beside it, so <c>modelloop lm generate RUN</c> reads it. Logged per interval: loss, perplexity and tokens_per_second
/// (and their val_ forms); at the end test_loss and test_perplexity over every window of the test documents.
/// </remarks>
public static class LanguageModelTraining
{
    /// <summary>The metrics a language-model run logs unless its config lists others.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["perplexity", "tokens_per_second"];

    private static int _registered;

    /// <summary>Adds perplexity and tokens_per_second to the <see cref="MetricCatalog"/> (once; later calls do nothing).</summary>
    public static void RegisterMetrics()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
            return;
        MetricCatalog.Register("perplexity", () => new PerplexityMetric());
        MetricCatalog.Register("tokens_per_second", () => new TokensPerSecondMetric());
    }

    /// <summary>
    /// Reads the corpus, trains the tokenizer, and trains the GPT the config describes into
    /// <see cref="TrainingJobOptions.OutputDirectory"/> (which becomes a language-model package). With a language.lora
    /// section the run fine-tunes that base with LoRA adapters instead (see <see cref="LoraFineTuning"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The config is invalid or has no language section; nothing was trained.</exception>
    public static LanguageModelTrainingResult Run(TrainingConfig config, TrainingJobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new TrainingJobOptions();
        config.Validate();
        if (config.Language is null)
            throw new ArgumentException("A language-model run needs the config's language section (corpus, tokenizer, blockSize, layers, heads, width, maxIters…); see samples/LanguageModel/fortunes-char.yaml.", nameof(config));
        Native.TorchRuntime.EnsureLoaded();
        RegisterMetrics();
        using var lora = LoraRun.Open(config); // language.lora: a fine-tune of a trained base (null otherwise)
        config = lora?.Config ?? config;
        using var data = LanguageModelData.Load(config, lora?.Tokenizer);
        var prepared = Prepare(config, data.Tokenizer.VocabularySize);
        prepared = lora?.Prepare(prepared) ?? prepared;
        Directory.CreateDirectory(options.OutputDirectory);
        // Written before the job, whose checksums.json then sits beside a complete package.
        SaveTokenizer(data.Tokenizer, Path.Combine(options.OutputDirectory, LanguageModelPackage.TokenizerFolder));
        using var loaded = data.ToLoadedData(prepared, prepared.Data.SplitSeed);
        options = lora?.Attach(options, prepared, loaded) ?? options;
        options.Log?.Invoke($"Corpus {data.Source}: {data.Documents.Count:N0} documents → train {data.Split.Train.Count:N0} ({data.Train.TokenCount:N0} tokens), " +
            $"validation {data.Split.Validation.Count:N0} ({data.Validation.TokenCount:N0}), test {data.Split.Test.Count:N0} ({data.Test.TokenCount:N0}); tokenizer {prepared.Language!.Tokenizer}, {data.Tokenizer.VocabularySize} tokens.");
        var language = prepared.Language!;
        var parameters = new Dictionary<string, string>(options.Parameters)
        {
            ["corpus"] = language.Corpus,
            ["tokenizer"] = language.Tokenizer,
            ["vocabulary_size"] = data.Tokenizer.VocabularySize.ToString(CultureInfo.InvariantCulture),
            ["block_size"] = language.BlockSize.ToString(CultureInfo.InvariantCulture),
            ["max_iters"] = language.MaxIters.ToString(CultureInfo.InvariantCulture),
            ["eval_interval"] = language.EvalInterval.ToString(CultureInfo.InvariantCulture),
            ["eval_iters"] = language.EvalIters.ToString(CultureInfo.InvariantCulture),
            ["gradient_accumulation"] = prepared.AccumulateGradientBatches.ToString(CultureInfo.InvariantCulture),
            ["clip_gradient_norm"] = prepared.ClipGradientNorm?.ToString(CultureInfo.InvariantCulture) ?? "none",
        };
        // The job registers only its model artifact; the version must carry the tokenizer too, so it is registered here.
        var result = TrainingJob.Run(prepared, loaded, options with
        {
            RunName = options.RunName ?? "gpt",
            Parameters = parameters,
            RegisterAs = null,
        });
        // The adapter is saved alone (RUN/adapter) before the merged run folder is registered.
        var loraSummary = lora?.Finish(result);
        if (options.RegisterAs is { } name)
        {
            result = result with
            {
                Registered = LanguageModelRegistration.Register(new ModelRegistry(options.Home), name, options.OutputDirectory, new RegisterOptions
                {
                    Aliases = options.Aliases,
                    EncryptionKey = options.EncryptionKey,
                    Description = options.Description,
                    Tags = options.Tags,
                }),
            };
        }
        return new LanguageModelTrainingResult(result, data.Tokenizer.VocabularySize, (int)data.Split.Train.Count, (int)data.Split.Validation.Count, (int)data.Split.Test.Count, data.Train.TokenCount)
        {
            Lora = loraSummary,
        };
    }

    /// <summary>
    /// The config as the job runs it: the GPT the language section describes (for <paramref name="vocabularySize"/>
    /// tokens) as the model spec, cross-entropy over every position, weight decay on matrices only
    /// (<see cref="OptimizerConfig.DecayMatricesOnly"/> unless the config sets it), and <see cref="Metrics"/> unless the config lists metrics.
    /// </summary>
    public static TrainingConfig Prepare(TrainingConfig config, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(config);
        var language = config.Language ?? throw new ArgumentException("The config has no language section.", nameof(config));
        var spec = Spec(language, vocabularySize);
        return config with
        {
            Model = new ModelConfig { Zoo = null, Spec = JsonNode.Parse(spec.ToJson()) },
            Loss = "cross_entropy",
            // nanoGPT decays matmul weights and embeddings only, not biases and LayerNorm parameters.
            Optimizer = config.Optimizer with { DecayMatricesOnly = config.Optimizer.DecayMatricesOnly ?? true },
            Metrics = config.Metrics.Count > 0 ? config.Metrics : Metrics,
            Data = config.Data with { Source = LanguageModelData.ResolveCorpus(language.Corpus), Task = ModelTask.Classification },
        };
    }

    /// <summary>The GPT of a language section, named "transformer" as <see cref="Modeling.Zoo.SequenceZoo.Gpt"/> names it.</summary>
    public static ModelSpec Spec(LanguageConfig language, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(language);
        return new ModelSpec([language.BlockSize],
            [new Gpt(vocabularySize, language.Layers, language.Heads, language.Width, language.Dropout, language.Bias) { Name = "transformer" }],
            InputKind.TokenIds);
    }

    /// <summary>Saves a <see cref="CharTokenizer"/> or <see cref="ByteLevelBpeTokenizer"/> in its own file layout.</summary>
    /// <exception cref="ArgumentException">Another kind of tokenizer (GPT-2's own ships with the library).</exception>
    public static void SaveTokenizer(ITextTokenizer tokenizer, string directory)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        switch (tokenizer)
        {
            case CharTokenizer characters:
                characters.Save(directory);
                break;
            case ByteLevelBpeTokenizer bpe:
                bpe.Save(directory);
                break;
            default:
                throw new ArgumentException($"A {tokenizer.GetType().Name} cannot be saved with a language model; use a CharTokenizer or ByteLevelBpeTokenizer.", nameof(tokenizer));
        }
    }
}
