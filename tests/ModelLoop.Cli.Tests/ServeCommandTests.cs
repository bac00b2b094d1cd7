using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Cli.Commands;

namespace ModelLoop.Cli.Tests;

/// <summary>train → serve → usage: a run folder written by `modelloop train` is served and its use is reported.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-serve-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Path(string name) => System.IO.Path.Combine(_folder.FullName, name);

    [Fact]
    public async Task ATrainedRunIsServedAndItsUsageExportedAsCsv()
    {
        var csvData = File.ReadAllLines(BreastCancerCsv());
        File.WriteAllLines(Path("small.csv"), csvData.Take(120));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Path("small.csv"), "--epochs", "1", "--seed", "1", "--threads", "1", "--device", "cpu", "--out", Path("models/cancer")]));
        var features = csvData[1].Split(',').Length - 1;

        await using (var app = ServeCommand.BuildApp(new ServeCommand.Settings(Path("models"), "http://127.0.0.1:0", Path("serving.db"), null, NoKeys: true, 8, 1, 64, 1)))
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var response = await http.PostAsJsonAsync("/v1/models/cancer/predict", new { inputs = new[] { new float[features], new float[features] } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(2, body.RootElement.GetProperty("outputs").GetArrayLength());
            // train wrote serving.json (feature names + standardization): a raw CSV row can be sent as a record.
            var header = csvData[0].Split(',');
            var row = csvData[1].Split(',');
            var record = header.Zip(row).Where(p => p.First != "target").ToDictionary(p => p.First, p => double.Parse(p.Second, System.Globalization.CultureInfo.InvariantCulture));
            var byRecord = await http.PostAsJsonAsync("/v1/models/cancer/predict", new { record });
            Assert.Equal(HttpStatusCode.OK, byRecord.StatusCode);
            await app.StopAsync();
        }

        Assert.Equal(0, CliApp.Run(["usage", "--db", Path("serving.db"), "--csv", Path("usage.csv")]));
        var lines = File.ReadAllLines(Path("usage.csv"));
        Assert.Equal("TenantId,Model,Version,HourUtc,Requests,Items,ComputeMs", lines[0]);
        Assert.StartsWith("anonymous,cancer,1,", lines[1]);
        Assert.Contains(",2,3,", lines[1]); // 2 requests, 3 items
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

    private static string BreastCancerCsv()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "datasets", "breast_cancer.csv");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("datasets/breast_cancer.csv not found above the test folder.");
    }
}
