using ModelLoop.Language.Generation;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Training;
using ModelLoop.Loop;
using ModelLoop.Training;

namespace ModelLoop.Language.Tests.Training;

public sealed class LanguageModelTrainingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-train").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A tiny GPT on the shipped fortunes sample: 2 intervals of 10 steps.</summary>
    private static TrainingConfig Tiny(int maxIters = 20) => new()
    {
        Language = new LanguageConfig
        {
            Corpus = Samples.Fixture("fortunes-en-sample"),
            BlockSize = 16,
            Layers = 1,
            Heads = 2,
            Width = 16,
            MaxIters = maxIters,
            EvalInterval = 10,
            EvalIters = 2,
        },
        Data = new DataConfig { Validation = 0.2, Test = 0.2, SplitSeed = 3 },
        BatchSize = 8,
        Optimizer = new OptimizerConfig { Name = "adamw", LearningRate = 3e-3, Beta2 = 0.99 },
        Schedule = new ScheduleConfig { Name = "cosine", MinRate = 3e-4, WarmupFraction = 0.1 },
        ClipGradientNorm = 1.0,
        Seed = 11,
    };

    private TrainingJobOptions Options(string run, string? checkpoint = null, IReadOnlyList<Callback>? callbacks = null) => new()
    {
        OutputDirectory = Path.Combine(_folder, run),
        Home = Path.Combine(_folder, "home"),
        Track = false,
        Progress = ProgressMode.Silent,
        CheckpointPath = checkpoint,
        Callbacks = callbacks ?? [],
    };

    [Fact]
    public void A_language_run_trains_through_the_job_and_its_folder_generates_text()
    {
        var outcome = LanguageModelTraining.Run(Tiny(), Options("run"));

        var history = outcome.Training.History.Epochs;
        Assert.Equal(2, history.Count);
        Assert.All(history, row => Assert.Contains("val_perplexity", row.Keys));
        Assert.True(history[^1]["tokens_per_second"] > 0);
        // Better than guessing uniformly among the vocabulary after 20 steps.
        Assert.True(outcome.Training.Test["loss"] < Math.Log(outcome.VocabularySize), $"test loss {outcome.Training.Test["loss"]} vs ln V {Math.Log(outcome.VocabularySize)}");
        // Perplexity is accumulated on its own (summed cross-entropy per token); it must agree with the mean loss.
        Assert.Equal(Math.Exp(outcome.Training.Test["loss"]), outcome.Training.Test["perplexity"], 3);

        using var package = LanguageModelPackage.Load(outcome.PackageDirectory);
        var text = new TextGenerator(package.Model, package.Tokenizer).Generate("The ", new GenerationOptions { MaxNewTokens = 5, Temperature = 0 });
        Assert.Equal(outcome.VocabularySize, package.Tokenizer.VocabularySize);
        Assert.False(string.IsNullOrEmpty(text.Text));
    }

    [Fact]
    public void A_language_run_decays_matrices_and_embeddings_but_not_biases_or_layer_norms()
    {
        var probe = new DecayProbe();

        LanguageModelTraining.Run(Tiny(maxIters: 10) with { Optimizer = new OptimizerConfig { Name = "adamw", WeightDecay = 0.1 } }, Options("run") with { Plugins = [probe] });

        Assert.Contains(probe.Decay.Keys, name => name.EndsWith(".bias", StringComparison.Ordinal));
        Assert.Contains(probe.Decay.Keys, name => name.Contains("ln", StringComparison.Ordinal));
        foreach (var (name, (rank, decay)) in probe.Decay)
            Assert.True(decay == (rank >= 2 ? 0.1 : 0.0), $"{name} (rank {rank}) decays at {decay}");
    }

    /// <summary>Every trained parameter's rank and its optimizer group's weight decay, as the first step sees them.</summary>
    private sealed class DecayProbe : StepPlugin
    {
        public Dictionary<string, (long Rank, double Decay)> Decay { get; } = new();

        public override void OnTrainBegin(StepContext context)
        {
            foreach (var group in context.ParameterGroups)
                foreach (var (name, parameter) in group.Parameters)
                    Decay[name] = (parameter.dim(), group.WeightDecay);
        }
    }

    [Fact]
    public void A_run_killed_after_an_interval_resumes_to_the_same_weights_as_an_unbroken_run()
    {
        var unbroken = LanguageModelTraining.Run(Tiny(30), Options("unbroken"));

        var checkpoint = Path.Combine(_folder, "resume.ckpt");
        Assert.Throws<OperationCanceledException>(() => LanguageModelTraining.Run(Tiny(30), Options("resumed", checkpoint, [new KillAtEpoch(1)])));
        Assert.True(File.Exists(checkpoint));
        var resumed = LanguageModelTraining.Run(Tiny(30), Options("resumed", checkpoint));

        Assert.Equal(1, resumed.Training.History.ResumedFromEpoch);
        Assert.Equal(unbroken.Training.Test["loss"], resumed.Training.Test["loss"]);
        Assert.Equal(unbroken.Training.History.Epochs[^1]["val_loss"], resumed.Training.History.Epochs[^1]["val_loss"]);
    }

    [Fact]
    public void A_language_run_trains_in_bfloat16_with_token_ids_left_as_integers()
    {
        var outcome = LanguageModelTraining.Run(Tiny(10) with { Precision = Precision.BFloat16 }, Options("bf16"));

        Assert.True(outcome.Training.Test["loss"] < Math.Log(outcome.VocabularySize), $"test loss {outcome.Training.Test["loss"]} vs ln V {Math.Log(outcome.VocabularySize)}");
    }

    [Fact]
    public void Documents_are_split_whole_so_no_held_out_text_is_trained_on()
    {
        using var data = LanguageModelData.Load(Tiny());

        var train = data.Split.Train.ToHashSet();
        Assert.DoesNotContain(data.Split.Validation, train.Contains);
        Assert.DoesNotContain(data.Split.Test, train.Contains);
        Assert.Equal(data.Documents.Count, data.Split.Train.Count + data.Split.Validation.Count + data.Split.Test.Count);
        var trainTokens = data.Split.Train.Sum(i => data.Tokenizer.Encode(data.Documents[i].Text).Count + 1);
        Assert.Equal(trainTokens, data.Train.TokenCount);
    }

    [Fact]
    public void Training_windows_are_targets_shifted_by_one_token()
    {
        using var data = LanguageModelData.Load(Tiny());
        using var windows = LanguageModelData.Windows(data.Train);

        var stream = data.Train.Tokens.data<long>().ToArray();
        var features = windows.Features.data<long>().ToArray();
        var labels = windows.Labels.data<long>().ToArray();
        Assert.Equal((stream.Length - 1) / 16 * 16, features.Length);
        Assert.Equal(stream[..features.Length], features);
        Assert.Equal(stream[1..(labels.Length + 1)], labels);
    }

    [Theory]
    [InlineData("heads: 3", "language.heads")]
    [InlineData("maxIters: 300", "language.maxIters (300)")]
    [InlineData("tokenizer: words", "language.tokenizer 'words'")]
    [InlineData("blockSize: 0", "language.blockSize")]
    public void A_bad_language_field_is_refused_naming_it(string line, string named)
    {
        var config = TrainingConfig.FromYaml($"language:\n  corpus: fortunes\n  {line}\n");

        var error = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void An_unknown_language_field_is_refused_at_parse_time()
    {
        var error = Assert.Throws<FormatException>(() => TrainingConfig.FromYaml("language:\n  blocksize: 64\n"));
        Assert.Contains("blocksize", error.Message);
    }

    [Fact]
    public void Epochs_with_a_language_section_are_refused_in_favour_of_max_iters()
    {
        var error = Assert.Throws<ArgumentException>(() => (Tiny() with { Epochs = 3 }).Validate());
        Assert.Contains("language.maxIters", error.Message);
    }

    [Fact]
    public void The_shipped_fortunes_config_is_nanoGPTs_cpu_configuration()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "LanguageModel", "fortunes-char.yaml");
        var config = TrainingConfig.Load(path).Validate();

        var language = config.Language!;
        Assert.Equal((64, 12, 4, 4, 128, 0.0, 2000), (language.BlockSize, config.BatchSize, language.Layers, language.Heads, language.Width, language.Dropout, language.MaxIters));
        Assert.Equal(0.001, config.Optimizer.LearningRate);
        Assert.Equal("char", language.Tokenizer);
    }

    /// <summary>Stands for a kill: stops the run as the given epoch begins, after the previous one was checkpointed.</summary>
    private sealed class KillAtEpoch(int epoch) : Callback
    {
        public override void OnEpochBegin(TrainingContext context)
        {
            if (context.Epoch == epoch)
                throw new OperationCanceledException("killed");
        }
    }
}
