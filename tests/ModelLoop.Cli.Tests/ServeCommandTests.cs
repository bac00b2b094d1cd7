using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Cli.Commands;
using ModelLoop.Serving;
using Spectre.Console;

namespace ModelLoop.Cli.Tests;

/// <summary>train → serve → usage: a run folder or the registry is served by `modelloop serve` and its use is reported.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-serve-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Path(string name) => System.IO.Path.Combine(_folder.FullName, name);

    [Theory]
    [InlineData("--log-predictions", "--home", "home", "--retrain")]
    [InlineData("--models", "--models", "models", "--retrain", "--log-predictions")]
    [InlineData("--retrain-interval", "--home", "home", "--retrain", "--log-predictions", "--retrain-interval", "0")]
    public void RetrainWithoutWhatItNeedsIsRefusedBeforeTheServerStartsSayingWhatToAdd(string named, params string[] args)
    {
        Directory.CreateDirectory(Path("models"));
        var output = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No });
        int exit;
        try
        {
            exit = CliApp.Run(["serve", .. args.Select(a => a is "home" or "models" ? Path(a) : a), "--db", Path("serving.db")]);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }

        Assert.Equal(2, exit);
        var message = string.Join(' ', output.ToString().Split('\n', StringSplitOptions.TrimEntries)); // the console wraps long lines
        Assert.Contains("--retrain", message);
        Assert.Contains(named, message);
        Assert.False(File.Exists(Path("serving.db")));
    }

    [Fact]
    public async Task ATrainedRunIsServedAndItsUsageExportedAsCsv()
    {
        var csvData = File.ReadAllLines(BreastCancerCsv());
        File.WriteAllLines(Path("small.csv"), csvData.Take(120));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Path("small.csv"), "--epochs", "1", "--seed", "1", "--threads", "1", "--device", "cpu", "--out", Path("models/cancer")]));
        var header = csvData[0].Split(',');
        var records = csvData.Skip(1).Take(2).Select(line => header.Zip(line.Split(',')).Where(p => p.First != "target")
            .ToDictionary(p => p.First, p => double.Parse(p.Second, System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        await using (var app = ServeCommand.BuildApp(new ServeCommand.Settings(Path("models"), "http://127.0.0.1:0", Path("serving.db"), null, NoKeys: true, 8, 1, 64, 1)))
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            // The run's artifact carries the fitted pipeline: raw CSV rows are sent as records and preprocessed by the server.
            var response = await http.PostAsJsonAsync("/v1/models/cancer/predict", new { records });
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var predictions = body.RootElement.GetProperty("predictions");
            Assert.Equal(2, predictions.GetArrayLength());
            Assert.Contains(predictions[0].GetProperty("label").GetString(), new[] { "0", "1" });
            Assert.Equal(2, predictions[0].GetProperty("probabilities").EnumerateObject().Count());
            var byRecord = await http.PostAsJsonAsync("/v1/models/cancer/predict", new { record = records[0] });
            Assert.Equal(HttpStatusCode.OK, byRecord.StatusCode);
            // Encoded numbers would skip the pipeline: refused.
            var numbers = await http.PostAsJsonAsync("/v1/models/cancer/predict", new { inputs = new[] { new float[records[0].Count] } });
            Assert.Equal(HttpStatusCode.BadRequest, numbers.StatusCode);
            await app.StopAsync();
        }

        Assert.Equal(0, CliApp.Run(["usage", "--db", Path("serving.db"), "--csv", Path("usage.csv")]));
        var lines = File.ReadAllLines(Path("usage.csv"));
        Assert.Equal("TenantId,Model,Version,HourUtc,Requests,Items,ComputeMs,PromptTokens,CompletionTokens", lines[0]);
        Assert.StartsWith("anonymous,cancer,1,", lines[1]);
        Assert.Contains(",2,3,", lines[1]); // 2 requests, 3 items
    }

    [Fact]
    public async Task WithoutModelsTheRegistryIsServedAndAPromotionWithTheCliReachesTheRunningServer()
    {
        File.WriteAllLines(Path("small.csv"), File.ReadAllLines(BreastCancerCsv()).Take(120));
        var home = Path("home");
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Path("small.csv"), "--epochs", "1", "--seed", "1", "--threads", "1", "--device", "cpu",
            "--out", Path("run"), "--home", home, "--register", "cancer", "--alias", "production"]));
        Assert.Equal(0, CliApp.Run(["models", "register", "cancer", System.IO.Path.Combine(Path("run"), "artifact"), "--home", home]));
        // `train` puts the data stage's pipeline in the artifact, so the server takes raw rows: the first data row, label left out.
        var lines = File.ReadLines(Path("small.csv")).Take(2).Select(l => l.Split(',')).ToArray();
        var record = lines[0].Zip(lines[1]).Where(c => c.First != "target")
            .ToDictionary(c => c.First, c => double.Parse(c.Second, System.Globalization.CultureInfo.InvariantCulture));
        var settings = new ServeCommand.Settings(null, "http://127.0.0.1:0", Path("serving.db"), null, NoKeys: true, 8, 1, 64, 1)
        {
            Home = home,
            ReloadInterval = TimeSpan.FromMilliseconds(50),
        };

        await using var app = ServeCommand.BuildApp(settings);
        await app.StartAsync();
        var warm = Assert.Single(await app.WarmUpAsync());
        Assert.Equal(("cancer", "1", true), (warm.Name, warm.Version, warm.Ready));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal("1", await PredictedVersion(http, record));

        Assert.Equal(0, CliApp.Run(["models", "promote", "cancer", "2", "--alias", "production", "--reason", "test", "--home", home]));
        var version = "1";
        for (var attempt = 0; attempt < 600 && version != "2"; attempt++) // polled every 50 ms: up to 30 s on a busy machine
        {
            await Task.Delay(50);
            version = await PredictedVersion(http, record);
        }
        Assert.Equal("2", version);
        await app.StopAsync();
    }

    private static async Task<string> PredictedVersion(HttpClient http, IReadOnlyDictionary<string, double> record)
    {
        var response = await http.PostAsJsonAsync("/v1/models/cancer/predict", new { records = new[] { record } });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("version").GetString()!;
    }

    [Fact]
    public void AnAdminKeyOnTheCommandLineIsRefusedWithHowToPassItInstead()
    {
        var output = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No });
        int exit;
        try
        {
            exit = CliApp.Run(["serve", "--models", Path("."), "--admin-key", "secret"]);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }

        Assert.Equal(2, exit);
        var message = string.Join(' ', output.ToString().Split('\n', StringSplitOptions.TrimEntries)); // the console wraps long lines
        Assert.Contains("process list", message);
        Assert.Contains(ServeCommand.AdminKeyVariable, message);
        Assert.Contains("--admin-key-file", message);
    }

    [Fact]
    public void TheAdminKeyIsReadFromAFileOrElseTheEnvironment()
    {
        File.WriteAllText(Path("admin.key"), "  from-file\n");
        File.WriteAllText(Path("empty.key"), "\n");
        var saved = Environment.GetEnvironmentVariable(ServeCommand.AdminKeyVariable);
        try
        {
            Environment.SetEnvironmentVariable(ServeCommand.AdminKeyVariable, "from-environment");
            Assert.Equal("from-file", ServeCommand.ReadAdminKey(Path("admin.key")));
            Assert.Equal("from-environment", ServeCommand.ReadAdminKey(null));
            Environment.SetEnvironmentVariable(ServeCommand.AdminKeyVariable, null);
            Assert.Null(ServeCommand.ReadAdminKey(null));
            Assert.Contains(ServeCommand.AdminKeyVariable, Assert.Throws<FileNotFoundException>(() => ServeCommand.ReadAdminKey(Path("none.key"))).Message);
            Assert.Contains("empty", Assert.Throws<ArgumentException>(() => ServeCommand.ReadAdminKey(Path("empty.key"))).Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ServeCommand.AdminKeyVariable, saved);
        }
    }

    [Fact]
    public void ServingAFolderWithoutARegistryIsAUserErrorAndCreatesNothing()
    {
        Assert.Equal(2, CliApp.Run(["serve", "--home", Path("no-registry")]));
        Assert.False(Directory.Exists(Path("no-registry")));
    }

    [Fact]
    public void ServingAMissingFolderIsAUserErrorNotAStackTrace()
    {
        Assert.Equal(2, CliApp.Run(["serve", "--models", Path("nowhere")]));
    }

    [Fact]
    public void UsageOfAMissingDatabaseIsAUserError()
    {
        Assert.Equal(2, CliApp.Run(["usage", "--db", Path("none.db")]));
    }

    private static string BreastCancerCsv() => ShippedDatasets.Find("breast_cancer.csv");
}
