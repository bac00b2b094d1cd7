using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Cli.Commands;
using ModelLoop.Contracts;
using ModelLoop.Serving;

namespace ModelLoop.Cli.Tests;

/// <summary>`modelloop serve --backend onnx`: the same answers through ONNX Runtime, raw records included.</summary>
public sealed class ServeBackendTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-serve-backend-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Path(string name) => System.IO.Path.Combine(_folder.FullName, name);

    private async Task<PredictResponse> Serve(ServingBackend backend, object body)
    {
        var settings = new ServeCommand.Settings(Path("models"), "http://127.0.0.1:0", Path($"serving-{backend}.db"), null, NoKeys: true, 8, 1, 64, 1) { Backend = backend };
        await using var app = ServeCommand.BuildApp(settings);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var response = await http.PostAsJsonAsync("/v1/models/cancer/predict", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        await app.StopAsync();
        return result;
    }

    [Fact]
    public async Task The_onnx_backend_answers_raw_records_as_the_torchsharp_backend_does()
    {
        var lines = File.ReadAllLines(ShippedDatasets.Find("breast_cancer.csv"));
        File.WriteAllLines(Path("small.csv"), lines.Take(120));
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", Path("small.csv"), "--epochs", "1", "--seed", "3", "--threads", "1", "--device", "cpu", "--out", Path("models/cancer")]));
        var header = lines[0].Split(',');
        var records = lines.Skip(1).Take(4).Select(line => header.Zip(line.Split(',')).Where(p => p.First != "target")
            .ToDictionary(p => p.First, p => double.Parse(p.Second, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var body = new { records, returnOutputs = true };

        var torch = await Serve(ServingBackend.Auto, body);
        var onnx = await Serve(ServingBackend.Onnx, body);

        Assert.Equal(torch.Predictions.Select(p => p.Label), onnx.Predictions.Select(p => p.Label));
        foreach (var (expected, actual) in torch.Predictions.Zip(onnx.Predictions))
            Assert.All(expected.Outputs!.Zip(actual.Outputs!), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4, $"{pair.First} vs {pair.Second}"));
    }

    [Fact]
    public void An_unknown_backend_is_exit_2_naming_the_choices()
    {
        Directory.CreateDirectory(Path("models"));
        var (exit, output) = RegistryCommandsTests.Capture("serve", "--models", Path("models"), "--db", Path("serving.db"), "--backend", "tpu");

        Assert.Equal(2, exit);
        Assert.Contains("--backend must be auto or onnx; received 'tpu'", output);
    }
}
