using ModelLoop.Language.Adapters;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Loop;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Registry;
using ModelLoop.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Adapters;

/// <summary>LoRA fine-tuning as a training run: LoraFineTuning.Run → LanguageModelTraining → TrainingJob with a LoraPlugin.</summary>
public sealed class LoraFineTuningTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lora-run").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An untrained tiny GPT packaged with a character tokenizer of the shipped fortunes sample.</summary>
    private string BasePackage()
    {
        var folder = Path.Combine(_folder, "base");
        var tokenizer = CharTokenizer.FromCorpus(Samples.English.Select(d => d.Text));
        torch.manual_seed(5);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16);
        LanguageModelPackage.Save(model, tokenizer, folder);
        return folder;
    }

    /// <summary>Rank-4 adapters on the shipped sample for <paramref name="maxIters"/> steps, validated every 4.</summary>
    private static TrainingConfig Config(string basePackage, int maxIters = 8)
    {
        var config = LoraFineTuning.Config(basePackage, Samples.Fixture("fortunes-en-sample"));
        return config with
        {
            Language = config.Language! with
            {
                Lora = new LoraConfig { Base = basePackage, Rank = 4, Alpha = 8 },
                MaxIters = maxIters,
                EvalInterval = 4,
                EvalIters = 2,
            },
            BatchSize = 4,
            // Weight decay would move every parameter AdamW holds: a base parameter in the optimizer could not stay unchanged.
            Optimizer = new OptimizerConfig { Name = "adamw", LearningRate = 1e-2, WeightDecay = 0.1 },
            Seed = 21,
        };
    }

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
    public void A_fine_tune_step_changes_the_adapters_and_leaves_every_base_parameter_bit_identical()
    {
        var probe = new StepProbe();
        var outcome = LoraFineTuning.Run(Config(BasePackage(), maxIters: 4), Options("run", callbacks: [probe]));

        Assert.NotEmpty(probe.Before);
        Assert.Equal(probe.Before.Keys.Order(), probe.After.Keys.Order());
        foreach (var (name, bytes) in probe.Before)
        {
            if (LoraAdapter.IsAdapterParameter(name))
                Assert.True(name.EndsWith(".lora.A", StringComparison.Ordinal) || !bytes.SequenceEqual(probe.After[name]), $"{name} did not train");
            else
                Assert.True(bytes.SequenceEqual(probe.After[name]), $"base parameter {name} changed");
        }
        Assert.Contains(probe.Before.Keys, LoraAdapter.IsAdapterParameter);
        Assert.NotNull(outcome.Lora);
    }

    [Fact]
    public void The_run_folder_is_the_merged_model_and_the_adapter_alone_applies_unmerged_to_the_base_with_the_same_output()
    {
        var basePackage = BasePackage();
        var outcome = LoraFineTuning.Run(Config(basePackage), Options("run"));
        var lora = outcome.Lora!;

        using var original = LanguageModelPackage.Load(basePackage);
        using var merged = LanguageModelPackage.Load(outcome.PackageDirectory);
        using var adapter = LoraAdapter.Load(lora.AdapterDirectory);
        Assert.Equal(LoraAdapter.ComputeBaseChecksum(original.Model), adapter.BaseChecksum);
        Assert.Equal((4, 8.0), (adapter.Options.Rank, adapter.Options.Alpha));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = randint(0, original.Tokenizer.VocabularySize, [2, 16], dtype: ScalarType.Int64, generator: new Generator(3));
        original.Model.Network.eval();
        merged.Model.Network.eval();
        var baseOutput = original.Model.Network.forward(input);
        Tensor applied;
        using (adapter.ApplyTo(original.Model))
            applied = original.Model.Network.forward(input);

        Assert.True(merged.Model.Network.forward(input).allclose(applied, rtol: 0, atol: 1e-5));
        Assert.False(baseOutput.allclose(applied, rtol: 0, atol: 1e-4)); // the adapter trained
        Assert.Equal(lora.TestLoss, outcome.Training.Test["loss"]);
        Assert.Equal(adapter.ParameterCount, lora.AdapterParameters);
        Assert.InRange(lora.SizeRatio, 1e-6, 1);
        Assert.False(double.IsNaN(lora.BaseValidationLoss));
        // The base's score travels with the package, beside the fine-tuned model's.
        Assert.Equal(lora.BaseTestLoss, merged.Artifact.Metadata.Metrics["base_test_loss"]);
    }

    [Fact]
    public void A_killed_fine_tune_resumes_to_the_same_adapter_as_an_unbroken_one()
    {
        var basePackage = BasePackage();
        var unbroken = LoraFineTuning.Run(Config(basePackage, 12), Options("unbroken"));

        var checkpoint = Path.Combine(_folder, "lora.ckpt");
        Assert.Throws<OperationCanceledException>(() => LoraFineTuning.Run(Config(basePackage, 12), Options("resumed", checkpoint, [new KillAtEpoch(1)])));
        var resumed = LoraFineTuning.Run(Config(basePackage, 12), Options("resumed", checkpoint));

        Assert.Equal(1, resumed.Training.History.ResumedFromEpoch);
        Assert.Equal(unbroken.Training.Test["loss"], resumed.Training.Test["loss"]);
        Assert.Equal(unbroken.Training.History.Epochs[^1]["val_loss"], resumed.Training.History.Epochs[^1]["val_loss"]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(unbroken.Lora!.AdapterDirectory, LoraAdapter.WeightsFile)),
            File.ReadAllBytes(Path.Combine(resumed.Lora!.AdapterDirectory, LoraAdapter.WeightsFile)));
    }

    [Fact]
    public void A_registered_fine_tune_is_the_merged_model_with_its_tokenizer_base_and_adapter_recorded()
    {
        var basePackage = BasePackage();
        var outcome = LoraFineTuning.Run(Config(basePackage, 4), Options("run") with { RegisterAs = "startrek-lora", Aliases = ["challenger"] });

        var version = outcome.Training.Registered!;
        Assert.Equal("startrek-lora", version.Name);
        Assert.Equal(["challenger"], version.Aliases);
        using var loaded = new ModelRegistry(Path.Combine(_folder, "home")).Load("startrek-lora", "challenger");
        Assert.DoesNotContain(loaded.Model.Network.named_parameters(), p => LoraAdapter.IsAdapterParameter(p.name)); // merged: a plain GPT
        Assert.Equal(outcome.Lora!.BaseTestLoss, version.Metrics["base_test_loss"]);
        Assert.Equal(Path.GetFullPath(basePackage), version.Tags["lora_base"]);
        Assert.Equal(outcome.Lora!.AdapterDirectory, version.Tags["lora_adapter"]);
        Assert.True(LanguageModelRegistration.IsLanguageModel(version));
        using var package = LanguageModelRegistration.Load(new ModelRegistry(Path.Combine(_folder, "home")), "startrek-lora", "challenger");
        Assert.Equal(outcome.VocabularySize, package.Tokenizer.VocabularySize); // the tokenizer travels inside the version
    }

    /// <summary>Each parameter's bytes as training begins and after the first optimizer step.</summary>
    private sealed class StepProbe : Callback
    {
        public Dictionary<string, byte[]> Before { get; } = [];
        public Dictionary<string, byte[]> After { get; } = [];

        public override void OnTrainBegin(TrainingContext context) => Snapshot(context, Before);

        public override void OnBatchEnd(TrainingContext context)
        {
            if (After.Count == 0)
                Snapshot(context, After);
        }

        private static void Snapshot(TrainingContext context, Dictionary<string, byte[]> into)
        {
            foreach (var (name, parameter) in context.Model.Network.named_parameters())
                into[name] = parameter.detach().cpu().contiguous().bytes.ToArray();
        }
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
