// The pay-per-use platform from both sides, with the model registry in the middle:
//   1. the provider reads datasets/breast_cancer.csv with the data stage (TabularReader), fits the
//      preprocessing pipeline on the training split only, trains a classifier on it, saves an artifact that
//      carries the fitted pipeline, and registers it as version 1, aliased "production";
//   2. it serves the registry (here in-process on loopback, as `modelloop serve --home DIR` would) and, with
//      the admin key, creates a tenant "acme" granted that model — the tenant's API key is shown once;
//   3. acme, with only its key and the SDK, reads the input schema and predicts RAW rows — the file's cells,
//      a categorical column as strings, missing values as null — which the server preprocesses;
//   4. the provider trains and registers version 2 and promotes it; the running server switches on its own
//      (it polls the registry), while acme keeps calling — no request fails; acme reads its metered usage.
//
//   dotnet run -c Release --project samples/ClientSample            30 epochs
//   dotnet run -c Release --project samples/ClientSample -- --ci    CI settings: 10 epochs; each version's test accuracy
//                                                                   (96.5% and 97.3% measured) must reach the 92% floor,
//                                                                   and the sample's own checks must pass, else exit code 1
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelLoop.Client;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Splits;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Samples;
using ModelLoop.Serving;
using ModelLoop.Training;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

var options = new SampleArgs(args);
var epochs = options.OptionalInt("epochs", "training epochs (default 30; 10 with --ci)") ?? (options.Ci ? 10 : 30);
var datasets = options.DatasetsFolder();
if (!options.Ready("ClientSample: train with the data stage, register, serve the registry, call it with the ModelLoop .NET SDK, promote."))
    return;

var work = Directory.CreateTempSubdirectory("modelloop-client-sample-").FullName;
var failures = new List<string>();

// 1. Raw rows as real ones arrive. The shipped file is all numeric, so to show what serving raw data means the
//    sample turns mean_area into a categorical "size" (small/medium/large) and blanks every 12th mean_texture cell.
var file = TabularReader.Read(Path.Combine(datasets, "breast_cancer.csv"));
var area = file.IndexOf("mean_area");
var texture = file.IndexOf("mean_texture");
var rows = file.Rows.Select((row, r) =>
{
    var copy = (string?[])row.Clone();
    var value = double.Parse(row[area]!, CultureInfo.InvariantCulture);
    copy[area] = value < 500 ? "small" : value < 900 ? "medium" : "large";
    if (r % 12 == 0)
        copy[texture] = null;
    return copy;
}).ToArray();
var columns = file.Columns.Select(c => c == "mean_area" ? "size" : c).ToArray();
var table = new RawTable(columns, rows);
var split = DataSplits.Stratified(table, "target", validation: 0, test: 0.2, seed: 42);
var (train, test) = (table.Select(split.Train), table.Select(split.Test));
var pipeline = PreprocessingPipeline.Fit(train, new PreprocessingOptions { LabelColumn = "target" }); // training rows only
Console.WriteLine($"Data: {table.Count} rows, {pipeline.Columns.Count} raw columns → {pipeline.FeatureCount} features ({string.Join(", ", pipeline.FeatureNames.Where(f => f.StartsWith("size", StringComparison.Ordinal)))}…).");

var home = Path.Combine(work, "registry");
var registry = new ModelRegistry(home);
var v1 = TrainAndRegister(hidden: 16, seed: 1, aliases: ["production"]);

// 2. The provider's server over the registry, on a free loopback port, polling it for promotions every 200 ms.
const string adminKey = "sample-admin-key-0123456789-abcdefghij";
await using var server = ServingApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
{
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Serving:RegistryHome"] = home,
        ["Serving:DatabasePath"] = Path.Combine(work, "serving.db"),
        ["Serving:AdminKey"] = adminKey,
        ["Serving:ReloadInterval"] = "00:00:00.200",
    });
});
await server.StartAsync();
foreach (var model in await server.WarmUpAsync())
    Console.WriteLine($"Serving {model.Name} version {model.Version}{(model.Ready ? "" : $": {model.Problem}")}");
var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
Console.WriteLine($"Server listening on {address}");

string tenantKey;
using (var admin = new ModelLoopClient(address, adminKey))
{
    var created = await admin.CreateTenantAsync("acme", ["breast-cancer"], requestsPerMinute: 6000);
    tenantKey = created.Key;
    Console.WriteLine($"Created tenant {created.TenantId} with key {created.Key[..8]}… (shown once; only its SHA-256 is stored).");
}

// 3. The customer: only the SDK and its key. Rows are sent as they are in the data: strings, numbers, nulls.
using var client = new ModelLoopClient(address, tenantKey);
var metadata = await client.GetModelAsync("breast-cancer");
Console.WriteLine($"Input: {(metadata.Input.RawRecords ? "raw rows" : "features")} with columns {string.Join(", ", metadata.Input.FeatureNames!.Take(3))}… ({metadata.Input.FeatureNames!.Count}); example: {metadata.ExampleRequest}");
var records = test.Rows.Select(row => (IReadOnlyDictionary<string, object?>)test.Columns.Select((c, i) => (c, i)).Where(p => p.c != "target")
    .ToDictionary(p => p.c, p => Cell(row[p.i]))).ToList();
var labels = test.Rows.Select(row => int.Parse(row[test.IndexOf("target")]!, CultureInfo.InvariantCulture)).ToArray();

var prediction = await client.PredictRawRecordsAsync("breast-cancer", records);   // one request, every test row
var agree = prediction.Predictions.Zip(labels).Count(p => p.First.Class == p.Second);
var firstRow = prediction.Predictions[0];
Console.WriteLine($"Version {prediction.Version} classified {records.Count} raw test rows ({records.Count(r => r["mean_texture"] is null)} with a missing value): {agree} agree with the label ({(double)agree / records.Count:P1}).");
Console.WriteLine($"The first row: label {firstRow.Label} with probability {firstRow.Probabilities![firstRow.Label!]:P1} (classes: {string.Join(", ", metadata.Labels)}).");
Check(prediction.Version == v1.ToString(CultureInfo.InvariantCulture), $"the first answers come from version {v1}");
Check(agree >= records.Count * 0.8, "at least 80% of the test rows are classified right");

try
{
    await client.PredictRawRecordsAsync("breast-cancer", [new Dictionary<string, object?>(records[0]) { ["mean_radius"] = "large-ish" }]);
    Check(false, "a row with text in a numeric column is refused");
}
catch (ModelLoopApiException e)
{
    Console.WriteLine($"A wrong row is explained by the server: {(int)e.StatusCode} {e.Detail}");
    Check(e.Detail?.Contains("mean_radius", StringComparison.Ordinal) == true, "the refusal names the column");
}

// 4. The provider trains version 2 and promotes it while acme keeps calling; the server notices by itself.
var v2 = TrainAndRegister(hidden: 32, seed: 2, aliases: []);
registry.SetAlias("breast-cancer", "production", v2, reason: "sample: a wider network");
Console.WriteLine($"Promoted version {v2} to production in the registry.");
var calls = 0;
var version = prediction.Version;
while (version != v2.ToString(CultureInfo.InvariantCulture) && calls < 300)
{
    version = (await client.PredictRawRecordsAsync("breast-cancer", [records[calls % records.Count]])).Version; // throws if one fails
    calls++;
    await Task.Delay(20);
}
Console.WriteLine($"The server switched to version {version} after {calls} more calls, none failed.");
Check(version == v2.ToString(CultureInfo.InvariantCulture), $"the server switched to version {v2}");

var usage = await client.GetUsageAsync();
foreach (var row in usage.GroupBy(u => u.Version).OrderBy(g => g.Key, StringComparer.Ordinal))
    Console.WriteLine($"Metered usage for acme, version {row.Key}: {row.Sum(u => u.Requests)} requests, {row.Sum(u => u.Items)} items, {row.Sum(u => u.ComputeMs):F1} ms of compute.");
Check(usage.Sum(u => u.Requests) == 1 + calls, "every successful request is metered once");
await server.StopAsync();
Directory.Delete(work, recursive: true);
if (failures.Count > 0)
{
    Console.Error.WriteLine($"error: the sample's checks failed: {string.Join("; ", failures)}.");
    Environment.Exit(1);
}

// Trains on the preprocessed training split, saves an artifact with the fitted pipeline, registers it.
int TrainAndRegister(int hidden, int seed, string[] aliases)
{
    using var trainSet = pipeline.ToDataset(train);
    using var testSet = pipeline.ToDataset(test);
    TorchSharp.torch.random.manual_seed(seed);
    using var model = new Sequential(pipeline.FeatureCount) { new Dense(hidden, Activation.Relu), new Dense(2) };
    model.Compile("adam", "cross_entropy", ["accuracy"]);
    model.Fit(trainSet, new FitOptions { Epochs = epochs, BatchSize = 32, Seed = seed, Progress = ProgressMode.Silent });
    var accuracy = model.Evaluate(testSet)["accuracy"];
    options.RequireAtLeast($"test accuracy ({hidden} hidden units)", accuracy, floor: 0.92, "P1");
    var artifact = Path.Combine(work, $"artifact-{hidden}");
    ModelArtifact.Save(model, artifact, new ArtifactMetadata
    {
        Preprocessing = JsonNode.Parse(pipeline.ToJson()),
        Metrics = new Dictionary<string, double> { ["test_accuracy"] = accuracy },
        Description = $"breast cancer, {hidden} hidden units",
    });
    var registered = registry.Register("breast-cancer", artifact, new RegisterOptions { Aliases = aliases });
    Console.WriteLine($"Trained {hidden} hidden units: test accuracy {accuracy:P1}; registered as version {registered.Version}{(aliases.Length > 0 ? $" ({string.Join(", ", aliases)})" : "")}.");
    return registered.Version;
}

// A CSV cell as a client would send it: a number when it reads as one, else the string; null when missing.
static object? Cell(string? cell) =>
    cell is null ? null : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : cell;

void Check(bool condition, string what)
{
    if (!condition)
        failures.Add(what);
}
