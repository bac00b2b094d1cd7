using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelLoop.Language.Evaluation;
using ModelLoop.Language.Generation;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Language.Training;
using ModelLoop.Loop;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Registry;
using ModelLoop.Serving.Language;
using ModelLoop.Training;
using TorchSharp;

namespace ModelLoop.Serving.Tests.Language;

/// <summary>Language models served from the registry by name and alias: a moved alias is served from the next request on.</summary>
public sealed class RegistryLanguageServingTests
{
    private const string Header = CompletionsApi.ModelVersionHeader;

    private static async Task<(string Version, string Text)> Complete(HttpClient client, string model, string prompt = "ab")
    {
        var response = await client.PostAsJsonAsync("/v1/completions", new { model, prompt, max_tokens = 4, temperature = 0 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(model, body.RootElement.GetProperty("model").GetString());
        return (response.Headers.GetValues(Header).Single(), body.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!);
    }

    // A random character GPT saved as a package; returns its greedy continuation of "ab" (what the server must answer).
    private static string Package(string path, int seed)
    {
        var tokenizer = CharTokenizer.FromCorpus(["abcdefghijklmnopqrstuvwxyz .,!?"]);
        torch.manual_seed(seed);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 32, layers: 1, heads: 2, width: 16);
        LanguageModelPackage.Save(model, tokenizer, path);
        return new TextGenerator(model, tokenizer).Generate("ab", new GenerationOptions { Temperature = 0, MaxNewTokens = 4 }).Text;
    }

    [Fact]
    public async Task Moving_the_production_alias_serves_the_new_version_from_the_next_completion()
    {
        using var host = new RegistryServerHost();
        var first = Package(Path.Combine(host.Folder, "v1"), seed: 1);
        var second = Package(Path.Combine(host.Folder, "v2"), seed: 2);
        LanguageModelRegistration.Register(host.Registry, "story", Path.Combine(host.Folder, "v1"), new RegisterOptions { Aliases = ["production"] });
        LanguageModelRegistration.Register(host.Registry, "story", Path.Combine(host.Folder, "v2"));
        using var client = host.Client();

        var before = await Complete(client, "story");
        host.Registry.SetAlias("story", "production", 2, reason: "test promotion");
        var after = await Complete(client, "story");
        var pinned = await Complete(client, "story:1");

        Assert.Equal(("1", first), before);
        Assert.Equal(("2", second), after);
        Assert.Equal(("1", first), pinned);
    }

    [Fact]
    public async Task A_folder_of_packages_and_the_registry_are_served_side_by_side()
    {
        var folder = Directory.CreateTempSubdirectory("lm-folder").FullName;
        try
        {
            var fromFolder = Package(Path.Combine(folder, "tiny", "1"), seed: 3);
            using var host = new RegistryServerHost(new() { ["Serving:Language:ModelsPath"] = folder });
            var fromRegistry = Package(Path.Combine(host.Folder, "v1"), seed: 4);
            LanguageModelRegistration.Register(host.Registry, "story", Path.Combine(host.Folder, "v1"));
            using var client = host.Client();

            Assert.Equal(("1", fromFolder), await Complete(client, "tiny"));
            Assert.Equal(("1", fromRegistry), await Complete(client, "story"));
            var listed = await client.GetStringAsync("/v1/openai/models");
            Assert.Contains("\"tiny\"", listed);
            Assert.Contains("\"story\"", listed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_registered_classifier_is_not_offered_as_a_language_model()
    {
        using var host = new RegistryServerHost();
        Package(Path.Combine(host.Folder, "v1"), seed: 1);
        host.Registry.Register("plain", Path.Combine(host.Folder, "v1", LanguageModelPackage.ModelFolder));
        using var client = host.Client();

        var response = await client.PostAsJsonAsync("/v1/completions", new { model = "plain", prompt = "ab", max_tokens = 2 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a language model", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Short sentences from a few templates: text a tiny model learns within tens of steps.</summary>
    private static string Corpus(string folder)
    {
        var random = new Random(4);
        string[] who = ["the cat", "a dog", "the bird", "my fox"], does = ["sat on", "ran to", "saw", "ate"], what = ["the mat.", "a box.", "the sun.", "my hat."];
        var text = new StringBuilder();
        for (var i = 0; i < 160; i++)
            text.Append(CultureInfo.InvariantCulture, $"{who[random.Next(4)]} {does[random.Next(4)]} {what[random.Next(4)]}\n\n");
        var path = Path.Combine(folder, "corpus.txt");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static TrainingConfig Config(string corpus, int maxIters) => new()
    {
        Language = new LanguageConfig { Corpus = corpus, Format = "text", BlockSize = 16, Layers = 1, Heads = 2, Width = 16, MaxIters = maxIters, EvalInterval = 20, EvalIters = 2 },
        Data = new DataConfig { Validation = 0.2, Test = 0.2, SplitSeed = 3 },
        BatchSize = 8,
        Optimizer = new OptimizerConfig { Name = "adamw", LearningRate = 1e-2, Beta2 = 0.99 },
        Seed = 11,
    };

    [Fact]
    public async Task The_loop_trains_registers_evaluates_promotes_and_serves_a_language_model()
    {
        using var host = new RegistryServerHost();
        var corpus = Corpus(host.Folder);
        TrainingJobOptions Run(string name, params string[] aliases) => new()
        {
            OutputDirectory = Path.Combine(host.Folder, name), Home = host.Home, RegisterAs = "story", Aliases = aliases, Progress = ProgressMode.Silent,
        };

        var v1 = LanguageModelTraining.Run(Config(corpus, 3), Run("v1", "champion", "production"));
        var v2 = LanguageModelTraining.Run(Config(corpus, 60), Run("v2", "challenger"));
        using var client = host.Client();
        var served = await Complete(client, "story", "the ");
        var eval1 = LanguageModelEvaluationJob.Run(new LanguageModelEvaluationRequest { Model = "story:1", Home = host.Home, OutputDirectory = Path.Combine(host.Folder, "eval1") });
        var eval2 = LanguageModelEvaluationJob.Run(new LanguageModelEvaluationRequest { Model = "story:challenger", Home = host.Home, OutputDirectory = Path.Combine(host.Folder, "eval2") });
        var gate = LanguageModelGate.Run("story:champion", "story:challenger", new LanguageModelGateOptions { Home = host.Home, Promote = ["champion", "production"] });
        var promoted = await Complete(client, "story", "the ");

        Assert.Equal((1, 2), (v1.Training.Registered!.Version, v2.Training.Registered!.Version));
        Assert.NotNull(v2.Training.Registered.RunId);
        Assert.True(eval2.Scores.Perplexity < eval1.Scores.Perplexity, $"v2 {eval2.Scores.Perplexity} vs v1 {eval1.Scores.Perplexity}");
        Assert.Contains("data-plot=\"training-loss\"", File.ReadAllText(eval2.Report.Html)); // the tracked run's curves, found through the registry
        Assert.True(gate.Decision!.Promoted, gate.Comparison.Reason);
        Assert.Equal(eval2.Scores.MeanLoss, gate.ChallengerScores.MeanLoss, 9);
        Assert.Equal("1", served.Version);
        Assert.Equal("2", promoted.Version);
        using var package = LanguageModelRegistration.Load(host.Registry, "story", "production");
        var expected = new TextGenerator(package.Model, package.Tokenizer).Generate("the ", new GenerationOptions { Temperature = 0, MaxNewTokens = 4 }).Text;
        Assert.Equal(expected, promoted.Text);
    }
}
