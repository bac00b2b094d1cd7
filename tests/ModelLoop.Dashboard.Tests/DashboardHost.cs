using System.Globalization;
using System.Net.Http.Json;
using ModelLoop.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Optimization.Tuning;
using ModelLoop.Registry;
using ModelLoop.Serving;
using ModelLoop.Tracking;
using ModelLoop.Training;
using TorchSharp;

namespace ModelLoop.Dashboard.Tests;

/// <summary>
/// What <c>modelloop serve</c> runs — the API with the dashboard under /ui — on a free port of 127.0.0.1, over a home
/// the fixture fills: model "m" trained twice (tracked runs, v1 = production, with its evaluation report), model "other"
/// (a copy of v1), a tuning study, and tenants acme (granted m) and globex (granted other), with some usage; and
/// <see cref="LanguageModel"/>, a randomly initialised character-level GPT (block 64, 2 layers, width 32) served from
/// Serving:Language:ModelsPath for the playground.
/// </summary>
public sealed class DashboardHost : IAsyncLifetime
{
    public const string AdminKey = "dashboard-test-admin-key-0123456789-abcdefgh";

    public string Folder { get; } = Directory.CreateTempSubdirectory("modelloop-dashboard-").FullName;
    public string Home => Path.Combine(Folder, "home");
    public string Url { get; private set; } = "";
    public WebApplication App { get; private set; } = null!;
    public string Csv { get; private set; } = "";
    public IReadOnlyList<TrainingResult> Trainings { get; private set; } = [];
    public (string Id, string Key) Acme { get; private set; }
    public (string Id, string Key) Globex { get; private set; }
    public ModelRegistry Registry { get; private set; } = null!;

    /// <summary>The language model's name on /v1/completions.</summary>
    public const string LanguageModel = "tiny-lm";

    /// <summary>Its tokenizer and weights, to compute what it generates (greedy) without the server.</summary>
    public CharTokenizer LanguageTokenizer { get; } = CharTokenizer.FromCorpus(["abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,:;!?'-\n"]);
    public Sequential LanguageWeights { get; private set; } = null!;

    /// <summary>Folder for screenshots and traces: screenshots/ next to the test assembly.</summary>
    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        Csv = WriteCsv(Folder);
        Trainings = [Train(3, ["production"]), Train(4, [])];
        EvaluationJob.Run(new EvaluationRequest { Model = Trainings[0].RunDirectory, Data = Csv, Label = "label", SplitSeed = 2 });
        Registry = new ModelRegistry(Home);
        Registry.Register("other", Trainings[0].PackagePath, new RegisterOptions { Aliases = ["production"] });
        WriteStudy();
        torch.manual_seed(21);
        LanguageWeights = SequenceZoo.Gpt(LanguageTokenizer.VocabularySize, blockSize: 64, layers: 2, heads: 2, width: 32);
        LanguageModelPackage.Save(LanguageWeights, LanguageTokenizer, Path.Combine(Folder, "language-models", LanguageModel, "1"));
        App = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serving:RegistryHome"] = Home,
                ["Serving:DatabasePath"] = Path.Combine(Folder, "serving.db"),
                ["Serving:AdminKey"] = AdminKey,
                ["Serving:ReloadInterval"] = "00:00:01",
                ["Serving:TorchThreads"] = "1",
                ["Serving:PredictionLog:Enabled"] = "true",
                ["Serving:PredictionLog:Inputs"] = "Raw",
                ["Serving:Language:ModelsPath"] = Path.Combine(Folder, "language-models"),
            });
            builder.Services.AddDashboard(dashboard => dashboard.Home = Home);
        });
        App.MapDashboard();
        await App.StartAsync();
        Url = App.Urls.First().TrimEnd('/');
        Acme = await CreateTenant("acme", "m");
        Globex = await CreateTenant("globex", "other");
        using var client = Client(Acme.Key);
        await Traffic(client, 20, shift: 0, seed: 1);
    }

    /// <summary>Creates a tenant granted <paramref name="models"/> through the admin API, as an operator would.</summary>
    public async Task<(string Id, string Key)> CreateTenant(string name, params string[] models)
    {
        using var admin = Client(AdminKey);
        var response = await admin.PostAsJsonAsync("/v1/admin/tenants", new CreateTenantRequest(name, models, 100_000));
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<CreatedApiKey>())!;
        return (created.TenantId, created.Key);
    }

    /// <summary>An API client (Bearer key) of the server.</summary>
    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Sends <paramref name="count"/> one-record predictions of model m with x = shift + uniform [0, 2).</summary>
    public static async Task Traffic(HttpClient client, int count, double shift, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var x = shift + random.NextDouble() * 2;
            (await client.PostAsJsonAsync("/v1/models/m/predict", new { record = new { x, colour = i % 2 == 0 ? "red" : "blue" } })).EnsureSuccessStatusCode();
        }
    }

    // y = "yes" when x > 1, x uniform in [0, 2): a task a small MLP learns in a few epochs.
    private static string WriteCsv(string folder)
    {
        var random = new Random(6);
        var lines = new List<string> { "x,colour,label" };
        for (var i = 0; i < 300; i++)
        {
            var x = random.NextDouble() * 2;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x:F3},{(i % 2 == 0 ? "red" : "blue")},{(x > 1 ? "yes" : "no")}"));
        }
        var path = Path.Combine(folder, "train.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private TrainingResult Train(int seed, IReadOnlyList<string> aliases) => TrainingJob.Run(new TrainingConfig
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [8] },
        Data = new DataConfig { Source = Csv, Label = "label", SplitSeed = 2 },
        Optimizer = new OptimizerConfig { LearningRate = 0.05 },
        Epochs = 4,
        BatchSize = 16,
        Seed = seed,
    }, new TrainingJobOptions
    {
        OutputDirectory = Path.Combine(Folder, $"run-{seed}"),
        Home = Home,
        RunName = $"mlp-seed{seed}",
        Parameters = new Dictionary<string, string> { ["seed"] = seed.ToString(CultureInfo.InvariantCulture) },
        Progress = ProgressMode.Silent,
        RegisterAs = "m",
        Aliases = aliases,
    });

    // A finished 4-trial study over two parameters, written through the storage the tuner uses.
    private void WriteStudy()
    {
        var space = SearchSpace.Parse(System.Text.Json.Nodes.JsonNode.Parse("""
            { "optimizer.learningRate": { "type": "float", "low": 0.001, "high": 0.1, "log": true },
              "batchSize": { "type": "int", "low": 16, "high": 64 } }
            """));
        var storage = new StudyStorage(StudyStorage.DefaultPath(Home));
        var study = storage.CreateOrOpen("lr-study", StudyDirection.Maximize, "val_accuracy", space);
        double[] rates = [0.001, 0.01, 0.05, 0.1];
        for (var i = 0; i < rates.Length; i++)
        {
            var rate = rates[i];
            var trial = storage.StartTrial(study.Id, "test", 10, TimeSpan.FromHours(1), (_, _) => new Dictionary<string, System.Text.Json.Nodes.JsonNode?>
            {
                ["optimizer.learningRate"] = rate, ["batchSize"] = 16 + 16 * i,
            })!;
            storage.Report(trial.Id, 1, 0.5 + rate);
            storage.Finish(trial.Id, TrialState.Complete, 0.6 + rate * 3);
        }
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        LanguageWeights?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a finishing background writer; the temp folder is cleaned by the OS
        }
    }
}
