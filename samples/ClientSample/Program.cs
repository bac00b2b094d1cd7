// The pay-per-use platform from a customer's side, with the .NET SDK (ModelLoop.Client):
//   1. the provider trains a breast-cancer classifier and saves a run folder (with its standardization);
//   2. it serves the folder (here in-process on loopback, as `modelloop serve` would) and, with the admin
//      key, creates a tenant "acme" granted that model — the tenant's API key is shown once;
//   3. acme, with only its key and the SDK, lists its models, reads the input schema, predicts raw rows
//      (the server standardizes them) and reads its metered usage.
//
//   dotnet run -c Release --project samples/ClientSample            30 epochs
//   dotnet run -c Release --project samples/ClientSample -- --ci    CI settings: 10 epochs
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelLoop.Client;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Samples;
using ModelLoop.Serving;
using ModelLoop.Serving.Catalog;
using ModelLoop.Training;

var options = new SampleArgs(args);
var epochs = options.OptionalInt("epochs", "training epochs (default 30; 10 with --ci)") ?? (options.Ci ? 10 : 30);
var datasets = options.DatasetsFolder();
if (!options.Ready("ClientSample: serve a trained model and call it with the ModelLoop .NET SDK."))
    return;

var work = Directory.CreateTempSubdirectory("modelloop-client-sample-").FullName;
var csvPath = Path.Combine(datasets, "breast_cancer.csv");

// 1. Train and save a run folder: model.json + weights.bin + serving.json (feature names, standardization).
using (var table = CsvTable.Load(csvPath, "target", LabelKind.ClassIndex))
{
    var (train, test) = table.Split(0.8, seed: 42);
    var (means, stds) = CsvTable.Standardize(train, test);
    using var model = new Sequential(train.SampleShape) { new Dense(16, Activation.Relu), new Dense(2) };
    model.Compile("adam", "cross_entropy", ["accuracy"]);
    model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = 32, Seed = 42, Progress = ProgressMode.Silent });
    Console.WriteLine($"Trained: test accuracy {model.Evaluate(test)["accuracy"]:P1}.");
    var run = Path.Combine(work, "models", "breast-cancer");
    Directory.CreateDirectory(run);
    model.ToSpec().Save(Path.Combine(run, "model.json"));
    model.SaveWeights(Path.Combine(run, "weights.bin"));
    var features = File.ReadLines(csvPath).First().Split(',').Where(c => c != "target").ToArray();
    new ServingManifest { FeatureNames = features, Mean = means, Std = stds }.Save(run);
    train.Dispose();
    test.Dispose();
}

// 2. The provider's server on a free loopback port, with an admin key.
const string adminKey = "sample-admin-key";
await using var server = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
{
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Serving:ModelsPath"] = Path.Combine(work, "models"),
        ["Serving:DatabasePath"] = Path.Combine(work, "serving.db"),
        ["Serving:AdminKey"] = adminKey,
    });
});
await server.StartAsync();
var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
Console.WriteLine($"Server listening on {address}");

string tenantKey;
using (var admin = new ModelLoopClient(address, adminKey))
{
    var created = await admin.CreateTenantAsync("acme", ["breast-cancer"], requestsPerMinute: 600);
    tenantKey = created.Key;
    Console.WriteLine($"Created tenant {created.TenantId} with key {created.Key[..8]}… (shown once; only its SHA-256 is stored).");
}

// 3. The customer: only the SDK and its key.
using var client = new ModelLoopClient(address, tenantKey);
var models = await client.ListModelsAsync();
Console.WriteLine($"Models granted to acme: {string.Join(", ", models.Select(m => $"{m.Name} (versions {string.Join(", ", m.Versions)})"))}");
var metadata = await client.GetModelAsync("breast-cancer");
Console.WriteLine($"Input: {metadata.Input.FeatureNames!.Count} named features, e.g. {string.Join(", ", metadata.Input.FeatureNames.Take(3))}…; output shape ({string.Join(", ", metadata.OutputShape)}).");

var lines = File.ReadLines(csvPath).ToArray();
var header = lines[0].Split(',');
var rows = lines.Skip(1).Take(40).Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
var records = rows.Select(row => (IReadOnlyDictionary<string, double>)header.Zip(row).Where(p => p.First != "target").ToDictionary(p => p.First, p => p.Second)).ToList();
var labels = rows.Select(row => (int)row[Array.IndexOf(header, "target")]).ToArray();

var prediction = await client.PredictRecordsAsync("breast-cancer", records);        // one request, 40 raw rows
var agree = prediction.Classes!.Zip(labels).Count(p => p.First == p.Second);
Console.WriteLine($"Version {prediction.Version} classified {prediction.Classes!.Count} raw rows from the file (training and test rows mixed): {agree} agree with the label.");
for (var i = 0; i < 8; i++)                                                         // and a few single calls
    await client.PredictRecordsAsync("breast-cancer", [records[i]]);

try
{
    await client.PredictAsync("breast-cancer", [[1f, 2f, 3f]]);
}
catch (ModelLoopApiException e)
{
    Console.WriteLine($"A wrong input is explained by the server: {(int)e.StatusCode} {e.Detail}");
}

var usage = await client.GetUsageAsync();
Console.WriteLine($"Metered usage for acme: {usage.Sum(u => u.Requests)} requests, {usage.Sum(u => u.Items)} items, {usage.Sum(u => u.ComputeMs):F1} ms of compute.");
await server.StopAsync();
Directory.Delete(work, recursive: true);
if (agree < rows.Length / 2 || usage.Sum(u => u.Requests) != 9)
{
    Console.Error.WriteLine("error: the sample's checks failed (predictions or metering).");
    Environment.Exit(1);
}
