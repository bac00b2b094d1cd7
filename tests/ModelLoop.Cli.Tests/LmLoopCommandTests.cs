using System.Globalization;

namespace ModelLoop.Cli.Tests;

/// <summary>The language-model loop on the command line: train --register, generate NAME:ALIAS, eval, compare --promote.</summary>
public sealed class LmLoopCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lm-loop-cli").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Config()
    {
        var corpus = Path.Combine(_folder, "wisdom");
        File.WriteAllText(corpus, string.Join("\n%\n", Enumerable.Range(0, 80).Select(i => $"the quick brown fox jumps over the lazy dog {i % 7} times.")) + "\n%\n");
        var config = Path.Combine(_folder, "lm.yaml");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            language:
              corpus: {corpus}
              blockSize: 16
              layers: 1
              heads: 2
              width: 16
              maxIters: 40
              evalInterval: 20
              evalIters: 2
            data:
              validation: 0.2
              test: 0.2
              splitSeed: 3
            batchSize: 8
            optimizer:
              name: adamw
              learningRate: 0.01
            seed: 11
            """));
        return config;
    }

    [Fact]
    public void A_registered_language_model_is_generated_from_evaluated_and_promoted_by_alias()
    {
        var config = Config();
        var home = Path.Combine(_folder, "home");
        var (train1, text1) = RegistryCommandsTests.Capture("lm", "train", "--config", config, "--max-iters", "2", "--out", Path.Combine(_folder, "v1"), "--home", home, "--register", "wisdom", "--alias", "champion", "--threads", "1");
        var (train2, text2) = RegistryCommandsTests.Capture("lm", "train", "--config", config, "--out", Path.Combine(_folder, "v2"), "--home", home, "--register", "wisdom", "--alias", "challenger", "--threads", "1");

        var (generate, generated) = RegistryCommandsTests.Capture("lm", "generate", "wisdom:challenger", "the ", "--max-new-tokens", "5", "--seed", "1", "--home", home);
        var (eval, evaluated) = RegistryCommandsTests.Capture("lm", "eval", "wisdom:challenger", "--home", home, "--out", Path.Combine(_folder, "eval"));
        var (compare, compared) = RegistryCommandsTests.Capture("lm", "compare", "wisdom:champion", "wisdom:challenger", "--promote", "champion", "--home", home);

        Assert.True(train1 == 0 && train2 == 0, text1 + text2);
        Assert.True(generate == 0, generated);
        Assert.StartsWith("the ", generated, StringComparison.Ordinal);
        Assert.True(eval == 0, evaluated);
        Assert.True(File.Exists(Path.Combine(_folder, "eval", "report.html")));
        Assert.Contains("perplexity", evaluated, StringComparison.Ordinal);
        Assert.True(compare == 0, compared);
        Assert.Contains("Promoted.", compared, StringComparison.Ordinal);
        Assert.Contains("[", compared, StringComparison.Ordinal); // the intervals print as [lower, upper]
    }
}
