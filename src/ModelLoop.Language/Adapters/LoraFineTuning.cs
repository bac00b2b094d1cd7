using ModelLoop.Language.Training;
using ModelLoop.Loop;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// LoRA fine-tuning as a training run: a <see cref="TrainingConfig"/> whose language section has a <c>lora</c> part
/// (<see cref="LoraConfig"/>: the base package, rank, α, dropout, targets) runs through
/// <see cref="LanguageModelTraining.Run"/> and the core <see cref="TrainingJob"/> like any language-model run — the same
/// data (<see cref="LanguageModelData"/>, read with the base's tokenizer), optimizer, schedule, clipping and accumulation
/// as <c>lm train</c>, with tracking, progress, checkpoints and exact resume — while a <see cref="LoraPlugin"/> keeps
/// everything but the adapters frozen. What <c>modelloop lm finetune</c> runs.
/// </summary>
/// <remarks>
/// The run folder is a language-model package of the fine-tuned model — the base with the adapters merged, served at the
/// base's cost per token; that is what <c>--register</c> registers — and holds the adapters alone in
/// <see cref="AdapterFolder"/>/ (<see cref="LoraAdapter.Load"/>), to apply unmerged on a shared base.
/// </remarks>
public static class LoraFineTuning
{
    /// <summary>The trained adapter's folder inside the run folder.</summary>
    public const string AdapterFolder = "adapter";

    /// <summary>Runs a config with a <c>language.lora</c> section; <see cref="LanguageModelTrainingResult.Lora"/> sums up the fine-tune.</summary>
    /// <exception cref="ArgumentException">The config has no language.lora section, or a field is invalid (the message names it); nothing was trained.</exception>
    public static LanguageModelTrainingResult Run(TrainingConfig config, TrainingJobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Language?.Lora is null)
            throw new ArgumentException("A LoRA fine-tune needs language.lora in the config: language: { corpus: …, lora: { base: RUN_OR_PACKAGE, rank: 8, alpha: 16 } }. Start from LoraFineTuning.Config(base, corpus).", nameof(config));
        return LanguageModelTraining.Run(config, options);
    }

    /// <summary>
    /// A fine-tuning config with ModelLoop's defaults: rank-8 adapters (α 16) on GPT-2's attention and MLP projections of
    /// <paramref name="basePackage"/>, trained on <paramref name="corpus"/> (a fortunes or text file or folder, split by
    /// document 80/10/10) for 200 steps of 12 windows with AdamW at 1e-3 (no weight decay: the update starts at zero
    /// and should stay small), 10% warm-up then cosine decay, gradient norm clipped at 1, validated every 50 steps on
    /// 10 batches, seed 1337. Change what you need with <c>with</c>.
    /// </summary>
    public static TrainingConfig Config(string basePackage, string corpus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(basePackage);
        ArgumentException.ThrowIfNullOrWhiteSpace(corpus);
        return new TrainingConfig
        {
            Language = new LanguageConfig { Corpus = corpus, Lora = new LoraConfig { Base = basePackage }, MaxIters = 200, EvalInterval = 50, EvalIters = 10 },
            Data = new DataConfig { Validation = 0.1, Test = 0.1, SplitSeed = 1337 },
            BatchSize = 12,
            Optimizer = new OptimizerConfig { Name = "adamw", LearningRate = 1e-3, WeightDecay = 0 },
            Schedule = new ScheduleConfig { Name = "cosine", WarmupFraction = 0.1 },
            ClipGradientNorm = 1.0,
            Seed = 1337,
        };
    }

    /// <summary>The adapter options of a config section; null fields take <see cref="LoraOptions"/>' defaults.</summary>
    internal static LoraOptions Options(LoraConfig config)
    {
        var defaults = new LoraOptions();
        return new LoraOptions
        {
            Rank = config.Rank ?? defaults.Rank,
            Alpha = config.Alpha ?? defaults.Alpha,
            Dropout = config.Dropout ?? defaults.Dropout,
            Targets = config.Targets ?? defaults.Targets,
        };
    }
}
