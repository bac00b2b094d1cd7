using ModelLoop.Language.Generation;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using TorchSharp;

namespace ModelLoop.Cli.Tests;

public sealed class LmGenerateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-generate").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly CharTokenizer Characters = CharTokenizer.FromCorpus(["the quick brown fox jumps over a lazy dog"]);

    private string Package()
    {
        var path = Path.Combine(_folder, "lm");
        torch.manual_seed(11);
        using var model = SequenceZoo.Gpt(Characters.VocabularySize, 32, layers: 1, heads: 2, width: 16);
        LanguageModelPackage.Save(model, Characters, path);
        return path;
    }

    [Fact]
    public void Generate_prints_the_prompt_and_the_seeded_continuation_of_the_package()
    {
        var path = Package();
        var (exit, text) = RegistryCommandsTests.Capture("lm", "generate", path, "the fox", "--max-new-tokens", "12", "--seed", "5", "--temperature", "1.2", "--top-k", "10");

        using var package = LanguageModelPackage.Load(path);
        var expected = new TextGenerator(package.Model, package.Tokenizer)
            .Generate("the fox", new GenerationOptions { MaxNewTokens = 12, Seed = 5, Temperature = 1.2, TopK = 10 }).Text;
        Assert.True(exit == 0, text);
        Assert.Equal("the fox" + expected + Environment.NewLine, text);
    }

    [Fact]
    public void A_stop_string_ends_the_printed_text_before_it()
    {
        var path = Package();
        var (_, free) = RegistryCommandsTests.Capture("lm", "generate", path, "a", "--max-new-tokens", "20", "--temperature", "0");
        var stop = free.Substring(4, 2);
        var (exit, text) = RegistryCommandsTests.Capture("lm", "generate", path, "a", "--max-new-tokens", "20", "--temperature", "0", "--stop", stop);

        Assert.True(exit == 0, text);
        Assert.Equal(free[..free.IndexOf(stop, 1, StringComparison.Ordinal)] + Environment.NewLine, text);
    }

    [Fact]
    public void A_folder_that_is_not_a_package_fails_with_the_layout_named_and_exit_code_2()
    {
        var (exit, text) = RegistryCommandsTests.Capture("lm", "generate", _folder, "hi");
        Assert.Equal(2, exit);
        Assert.Contains("tokenizer/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_new_tokens_for_the_block_size_fail_with_the_limit()
    {
        var (exit, text) = RegistryCommandsTests.Capture("lm", "generate", Package(), "the", "--max-new-tokens", "40");
        Assert.Equal(2, exit);
        Assert.Contains("at most 30", text, StringComparison.Ordinal);
    }
}
