using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Cli.Commands;
using ModelLoop.Contracts;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Cli.Tests;

/// <summary>train → serve --log-predictions → feedback → `feedback export` → train on the export.</summary>
public sealed class FeedbackCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-feedback-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Path(string name) => System.IO.Path.Combine(_folder.FullName, name);

    [Fact]
    public async Task LabelledFeedbackIsExportedAsACsvWithAManifestThatTrainingReads()
    {
        var lines = File.ReadAllLines(ShippedDatasets.Find("breast_cancer.csv"));
        File.WriteAllLines(Path("small.csv"), lines.Take(120));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Path("small.csv"), "--epochs", "1", "--seed", "1", "--threads", "1", "--device", "cpu", "--out", Path("models/cancer")]));
        var header = lines[0].Split(',');
        var rows = lines.Skip(120).Take(10).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToArray();
        var settings = new ServeCommand.Settings(Path("models"), "http://127.0.0.1:0", Path("serving.db"), null, NoKeys: true, 8, 1, 64, 1)
        {
            Log = new() { Enabled = true, Inputs = ServeCommand.ParseInputStorage("raw") },
        };

        await using (var app = ServeCommand.BuildApp(settings))
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            foreach (var row in rows)
            {
                var record = row.Where(p => p.Key != "target").ToDictionary(p => p.Key, p => double.Parse(p.Value, CultureInfo.InvariantCulture));
                var predicted = (await (await http.PostAsJsonAsync("/v1/models/cancer/predict", new { record })).Content.ReadFromJsonAsync<PredictResponse>())!;
                var feedback = await http.PostAsJsonAsync("/v1/models/cancer/feedback", new { requestId = predicted.RequestId, label = row["target"] });
                Assert.True(feedback.StatusCode == HttpStatusCode.Created, await feedback.Content.ReadAsStringAsync());
            }
            await app.StopAsync();
        }

        Assert.Equal(0, CliApp.Run(["feedback", "export", "--db", Path("serving.db"), "--model", "cancer", "--out", Path("export"), "--holdout-newest", "0.2"]));

        var train = TabularReader.Read(Path("export/train.csv"));
        var holdout = TabularReader.Read(Path("export/holdout.csv"));
        Assert.Equal(header.Where(c => c != "target").Append("target"), train.Columns); // the model's own label column
        Assert.Equal((8, 2), (train.Count, holdout.Count));
        Assert.Equal(rows.Skip(8).Select(r => r["target"]), holdout.Rows.Select(r => r[^1]));
        Assert.Equal(rows[0]["mean_radius"], train.Rows[0][0]);
        var manifest = DatasetManifest.Load(Path("export/manifest.json"));
        Assert.Empty(manifest.Verify(Path("export")));
        Assert.Equal("cancer", manifest.Notes["model"]);
        // The trained package has a reference profile: each logged item carries its monitored features (ItemMonitor).
        var logged = PredictionLog.OpenExisting(PredictionLog.PathNextTo(Path("serving.db")))!.Read("cancer");
        Assert.Equal(10, logged.Count);
        Assert.Equal(double.Parse(rows[0]["mean_radius"], CultureInfo.InvariantCulture), logged[0].Items[0].Monitored!.Numeric["mean_radius"]!.Value, 6);
        Assert.NotNull(logged[0].Items[0].Monitored!.PredictedClass);
        // The data stage reads it: a model trains on the feedback.
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Path("export/train.csv"), "--label", "target", "--epochs", "1", "--seed", "1", "--threads", "1", "--device", "cpu", "--out", Path("retrained")]));
    }

    [Fact]
    public void ExportingWithoutAPredictionLogIsAUserErrorSayingHowToMakeOne()
    {
        Assert.Equal(2, CliApp.Run(["feedback", "export", "--db", Path("serving.db"), "--out", Path("export")]));
        Assert.False(Directory.Exists(Path("export")));
    }

    [Fact]
    public void AnUnknownInputStorageIsRefusedNamingTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => ServeCommand.ParseInputStorage("plain"));

        Assert.Contains("raw, anonymized, hash or none", error.Message);
        Assert.Equal(InputStorage.Anonymized, ServeCommand.ParseInputStorage("Anonymized"));
        Assert.Equal(2, CliApp.Run(["serve", "--models", Path("."), "--log-predictions", "--log-inputs", "plain"]));
        Assert.Equal(2, CliApp.Run(["serve", "--models", Path("."), "--log-predictions", "--log-sample-rate", "2"]));
    }
}
