using ModelLoop.Language.Adapters;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Tests;

public sealed class LmFinetuneCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-finetune").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] Entries = [.. Enumerable.Range(0, 40).Select(i => $"Captain's log, stardate {i}: the away team beamed down to planet {i % 7}.")];

    /// <summary>A corpus file and an untrained tiny GPT packaged with a character tokenizer of it.</summary>
    private (string Base, string Corpus) Setup()
    {
        var corpus = Path.Combine(_folder, "startrek");
        File.WriteAllText(corpus, string.Join("\n%\n", Entries) + "\n%\n");
        var package = Path.Combine(_folder, "base");
        var tokenizer = CharTokenizer.FromCorpus(Entries);
        TorchSharp.torch.manual_seed(4);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16);
        LanguageModelPackage.Save(model, tokenizer, package);
        return (package, corpus);
    }

    [Fact]
    public void Finetune_with_register_trains_through_the_job_and_registers_the_merged_model_under_its_alias()
    {
        var (basePackage, corpus) = Setup();
        string run = Path.Combine(_folder, "run"), home = Path.Combine(_folder, "home");

        var (exit, text) = RegistryCommandsTests.Capture("lm", "finetune", basePackage, "--corpus", corpus, "--lora-rank", "2", "--max-iters", "4", "--eval-interval", "2",
            "--batch-size", "4", "--threads", "1", "--out", run, "--home", home, "--register", "captains-log", "--alias", "challenger");

        Assert.True(exit == 0, text);
        Assert.Contains("captains-log v1 (challenger)", text, StringComparison.Ordinal);
        Assert.Contains("validation loss", text, StringComparison.Ordinal);
        var version = new ModelRegistry(home).GetVersionOrDefault("captains-log", "challenger");
        Assert.Equal(Path.Combine(Path.GetFullPath(run), LoraFineTuning.AdapterFolder), version.Tags["lora_adapter"]);
        using var adapter = LoraAdapter.Load(version.Tags["lora_adapter"]);
        Assert.Equal(2, adapter.Options.Rank);
        using var merged = LanguageModelPackage.Load(run);
        Assert.DoesNotContain(merged.Model.Network.named_parameters(), p => LoraAdapter.IsAdapterParameter(p.name));
        Assert.True(File.Exists(Path.Combine(run, "history.csv")));
    }

    [Fact]
    public void Finetune_without_a_config_or_a_base_says_what_it_needs()
    {
        var (exit, text) = RegistryCommandsTests.Capture("lm", "finetune", "--corpus", Path.Combine(_folder, "x"));

        Assert.Equal(2, exit);
        Assert.Contains("--config FILE", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_rank_is_refused_naming_the_config_field()
    {
        var (basePackage, corpus) = Setup();

        var (exit, text) = RegistryCommandsTests.Capture("lm", "finetune", basePackage, "--corpus", corpus, "--lora-rank", "0", "--out", Path.Combine(_folder, "run"), "--no-track");

        Assert.Equal(2, exit);
        Assert.Contains("language.lora.rank", text, StringComparison.Ordinal);
    }
}
