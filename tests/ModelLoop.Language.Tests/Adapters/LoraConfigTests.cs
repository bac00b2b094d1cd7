using ModelLoop.Language.Adapters;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Loop;
using ModelLoop.Modeling.Zoo;
using TorchSharp;

namespace ModelLoop.Language.Tests.Adapters;

/// <summary>A config's language.lora section is checked before any data is read, with errors that name the field.</summary>
public sealed class LoraConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lora-config").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Yaml(string lora, string language = "", string rest = "") =>
        $"language:\n  corpus: {Samples.Fixture("fortunes-en-sample")}\n  lora: {{ {lora} }}\n{language}{rest}";

    private ArgumentException Refused(string yaml) =>
        Assert.ThrowsAny<ArgumentException>(() => LoraFineTuning.Run(TrainingConfig.FromYaml(yaml), new TrainingJobOptions { OutputDirectory = Path.Combine(_folder, "run"), Track = false }));

    [Theory]
    [InlineData("base: b, rank: 0", "language.lora.rank must be a positive integer; received 0")]
    [InlineData("base: b, alpha: -1", "language.lora.alpha must be positive")]
    [InlineData("base: b, dropout: 1", "language.lora.dropout must be in [0, 1); received 1")]
    [InlineData("base: b, targets: []", "language.lora.targets must name at least one module")]
    [InlineData("rank: 4", "language.lora.base is empty")]
    public void A_bad_lora_field_is_refused_naming_it(string lora, string expected)
    {
        var error = Refused(Yaml(lora));

        Assert.Contains(expected, error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "run")));
    }

    [Theory]
    [InlineData("freeze: [transformer.]\n", "freeze does not apply to a LoRA fine-tune")]
    [InlineData("precision: BFloat16\n", "precision BFloat16 does not apply to a LoRA fine-tune")]
    [InlineData("earlyStopping: { monitor: val_loss, patience: 2 }\n", "earlyStopping.restoreBestWeights does not apply")]
    [InlineData("initFrom: runs/x\n", "initFrom/transferFrom does not apply")]
    public void A_training_field_a_fine_tune_cannot_honour_is_refused_naming_it(string rest, string expected)
    {
        var error = Refused(Yaml("base: b", rest: rest));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_missing_base_is_refused_naming_the_field_and_the_path()
    {
        var missing = Path.Combine(_folder, "nope");

        var error = Refused(Yaml($"base: {missing}"));

        Assert.Contains($"language.lora.base '{missing}'", error.Message);
    }

    [Fact]
    public void A_size_field_that_contradicts_the_base_is_refused_with_the_bases_value()
    {
        var basePackage = Path.Combine(_folder, "base");
        torch.manual_seed(1);
        using (var model = SequenceZoo.Gpt(40, 16, layers: 1, heads: 2, width: 16))
            LanguageModelPackage.Save(model, CharTokenizer.FromCorpus(["abcdefghijklmnopqrstuvwxyz .,!?'ABCDEFG"]), basePackage);

        var error = Refused(Yaml($"base: {basePackage}", language: "  blockSize: 32\n"));

        Assert.Contains("language.blockSize is 32 but the base", error.Message);
        Assert.Contains("set it to 16", error.Message);
    }

    [Fact]
    public void An_unknown_lora_field_is_refused_at_parse_time()
    {
        var error = Assert.Throws<FormatException>(() => TrainingConfig.FromYaml("language:\n  lora: { base: b, rnk: 4 }\n"));

        Assert.Contains("rnk", error.Message);
    }
}
