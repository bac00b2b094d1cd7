using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Artifacts;
using ModelLoop.Cli.Commands;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Versioning;
using ModelLoop.Tracking;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Tests;

/// <summary>`modelloop demo` runs the whole loop; here on a tiny generated Fashion-MNIST-shaped IDX folder.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-demo-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>
    /// The four IDX files of a small 10-class image set: class k is a bright 6×6 square at a place of its own plus
    /// noise, so a CNN learns it in a few steps.
    /// </summary>
    private string WriteIdxFolder(int trainCount, int testCount)
    {
        var folder = Out("idx");
        Directory.CreateDirectory(folder);
        var random = new Random(5);
        foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            var pixels = new byte[count * 28 * 28];
            for (var n = 0; n < count; n++)
            {
                var (top, left) = (2 + labels[n] / 5 * 12, 2 + labels[n] % 5 * 5);
                for (var y = 0; y < 28; y++)
                    for (var x = 0; x < 28; x++)
                        pixels[n * 784 + y * 28 + x] = (byte)(y >= top && y < top + 6 && x >= left && x < left + 6 ? 200 + random.Next(56) : random.Next(60));
            }
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), Idx([count, 28, 28], pixels));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), Idx([count], labels));
        }
        return folder;
    }

    /// <summary>An IDX file: 00 00 08 rank, big-endian int32 sizes, then the bytes.</summary>
    private static byte[] Idx(int[] shape, byte[] data)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)shape.Length;
        for (var i = 0; i < shape.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--champion-epochs", "0")]
    [InlineData("--name", "not a name")]
    [InlineData("--feedback-share", "0")]
    [InlineData("--clean-requests", "10")]
    public void BadSettingsAreAUserErrorBeforeAnythingIsWritten(string option, string value)
    {
        var exit = CliApp.Run(["demo", option, value, "--data", Out("no-data"), "--out", Out("demo"), "--home", Out("home")]);

        Assert.Equal(2, exit);
        Assert.False(Directory.Exists(Out("demo")));
        Assert.False(Directory.Exists(Out("home")));
    }

    [Fact]
    public void TheDemoTrainsEvaluatesRegistersAndGatesThePromotionWithTheReasonRecorded()
    {
        var data = WriteIdxFolder(trainCount: 400, testCount: 200);
        var home = Out("home");

        var exit = CliApp.Run(["demo", "--data", data, "--epochs", "2", "--limit", "300", "--out", Out("demo"), "--home", home, "--threads", "1", "--seed", "1", "--precision", "Float32", "--no-feedback", "--no-optimize"]);

        Assert.Equal(0, exit);
        foreach (var file in new[] { "champion/eval/report.html", "champion/eval/evaluation.json", "challenger/eval/report.html", "challenger/eval/evaluation.json",
                     "challenger/eval/comparison.json" })
            Assert.True(File.Exists(Out(Path.Combine("demo", file))), $"{file} missing");
        var registry = new ModelRegistry(home);
        var (champion, challenger) = (registry.GetVersion("fashion", 1), registry.GetVersion("fashion", 2));
        // Both versions carry the dataset version written beside the runs, and each its tracked run.
        var manifest = DatasetManifest.Load(Out("demo/dataset/manifest.json"));
        Assert.Equal(manifest.Hash, champion.DatasetManifestHash);
        Assert.Equal(manifest.Hash, challenger.DatasetManifestHash);
        Assert.Equal(300, manifest.Counts["train"]);
        var runs = new RunStore(home).ListRuns();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Finished, r.Status));
        Assert.Equal(runs.Select(r => r.Id).Order(), new[] { champion.RunId!, challenger.RunId! }.Order());

        using var comparison = JsonDocument.Parse(File.ReadAllText(Out("demo/challenger/eval/comparison.json")));
        var verdict = comparison.RootElement.GetProperty("verdict").GetString();
        var promoted = verdict == "Better";
        Assert.Equal(promoted ? 2 : 1, registry.GetAliasVersion("fashion", "production"));
        Assert.Equal(promoted ? 2 : 1, registry.GetAliasVersion("fashion", "champion"));
        var production = registry.History("fashion", "production");
        Assert.StartsWith("Baseline of the demo loop", production[0].Reason);
        var reason = challenger.Tags["promotion.reason"];
        Assert.Contains($"verdict {verdict}", reason);
        Assert.Equal(promoted ? "promoted" : "rejected", challenger.Tags["promotion"]);
        if (promoted)
            Assert.Equal(reason, production[^1].Reason);
        else
            Assert.Equal(reason, registry.History("fashion", "challenger").Single().Reason);
        Assert.Contains("Against the champion", File.ReadAllText(Out("demo/challenger/eval/report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheWholeLoopServesTheModelDetectsTheShiftLearnsFromFeedbackAndRecordsEveryStep()
    {
        var data = WriteIdxFolder(trainCount: 600, testCount: 1200);
        var home = Out("home");

        var exit = CliApp.Run(["demo", "--data", data, "--epochs", "1", "--out", Out("demo"), "--home", home, "--threads", "1", "--seed", "4", "--precision", "Float32",
            "--clean-requests", "200", "--shifted-requests", "400", "--after-requests", "200", "--training-labels", "150", "--feedback-share", "1"]);

        Assert.Equal(0, exit);
        var timeline = File.ReadAllText(Out("demo/timeline.txt"));
        Assert.Contains("DRIFT ALARM", timeline, StringComparison.Ordinal); // the corruption is far from the training images
        foreach (var file in new[] { "feedback-loop.png", "monitoring/report.html", "monitoring/monitoring.json", "serving/modelloop-predictions.db" })
            Assert.True(File.Exists(Out(Path.Combine("demo", file))), $"{file} missing");
        var log = ModelLoop.Monitoring.Logging.PredictionLog.OpenExisting(Out("demo/serving/modelloop-predictions.db"))!;
        var counts = log.Count("fashion");
        Assert.InRange(counts.Requests, 450, 800); // 200 clean + shifted until retraining + 200 after
        // Every user sent the label; the few unlabelled requests are the demo's own checks for the new version after the promotion.
        Assert.InRange(counts.Labelled, counts.Requests - 20, counts.Requests - 1);
        // One retraining job ran on the exported feedback and reached a verdict; the registry says why.
        var job = Assert.Single(new ModelLoop.Monitoring.Retraining.RetrainingStore(home).List("fashion"));
        Assert.Contains(job.State, new[] { ModelLoop.Monitoring.Retraining.RetrainingJobState.Promoted, ModelLoop.Monitoring.Retraining.RetrainingJobState.Rejected });
        var challenger = new ModelRegistry(home).GetVersion("fashion", job.ChallengerVersion!.Value);
        Assert.Equal(job.Key, challenger.Tags["retraining.job"]);
        Assert.NotEqual(new ModelRegistry(home).GetVersion("fashion", 1).DatasetManifestHash, challenger.DatasetManifestHash); // it learned from the feedback too

        // `modelloop monitor` reads the same log: windows with the shift's alarm, the plots and the HTML report.
        Assert.Equal(0, CliApp.Run(["monitor", "fashion", "--prediction-log", Out("demo/serving/modelloop-predictions.db"), "--home", home, "--window", "100", "--out", Out("monitor")]));
        using var report = JsonDocument.Parse(File.ReadAllText(Out("monitor/monitoring.json")));
        var windows = report.RootElement.GetProperty("windows").EnumerateArray().ToList();
        Assert.NotEmpty(windows);
        Assert.Contains(windows, w => w.GetProperty("drift").GetProperty("alarm").GetBoolean());
        foreach (var file in new[] { "drift.png", "features.png", "report.html" })
            Assert.True(File.Exists(Out(Path.Combine("monitor", file))), $"{file} missing");
        Assert.Equal(2, CliApp.Run(["monitor", "fashion", "--prediction-log", Out("no-such-log.db"), "--home", home]));
    }

    [Fact]
    public void TheProductionModelOfTheDemoEvaluatesByItsRegistryNameWithItsOwnNormalization()
    {
        var data = WriteIdxFolder(trainCount: 200, testCount: 100);
        var home = Out("home");
        Assert.Equal(0, CliApp.Run(["demo", "--data", data, "--epochs", "1", "--out", Out("demo"), "--home", home, "--threads", "1", "--seed", "2", "--precision", "Float32", "--no-feedback"]));

        var exit = CliApp.Run(["eval", "fashion:production", data, "--home", home, "--out", Out("prod-eval"), "--threads", "1"]);

        Assert.Equal(0, exit);
        var registry = new ModelRegistry(home);
        var production = registry.GetAliasVersion("fashion", "production");
        using var registryEval = JsonDocument.Parse(File.ReadAllText(Out("prod-eval/evaluation.json")));
        double Accuracy(JsonDocument d) => d.RootElement.GetProperty("summary").GetProperty("metrics").GetProperty("accuracy").GetDouble();
        // The optimization stage registered the int8 model as v3; it is production only when the not-worse gate let it in.
        var int8 = registry.GetVersion("fashion", 3);
        Assert.Equal("int8", int8.Tags["optimization"]);
        Assert.Equal(production == 3 ? "promoted" : "rejected", int8.Tags["promotion"]);
        if (production == 3)
        {
            // eval ran the int8 graph in ONNX Runtime on the same test images the quantization job measured.
            var (_, metadata) = ModelArtifact.ReadMetadata(int8.ArtifactPath);
            Assert.Equal(metadata.Metrics["test_accuracy"], Accuracy(registryEval), 2);
            return;
        }
        var run = production == 1 ? "champion" : "challenger";
        using var demoEval = JsonDocument.Parse(File.ReadAllText(Out($"demo/{run}/eval/evaluation.json")));
        Assert.Equal(Accuracy(demoEval), Accuracy(registryEval), 9);
        Assert.True(File.Exists(Out("demo/optimization/report/report.html")));
    }

    [Fact]
    public async Task ServingTheDemosRegistryAnswersWithTheProductionModelAndTheNormalizationItWasTrainedWith()
    {
        var data = WriteIdxFolder(trainCount: 200, testCount: 50);
        var home = Out("home");
        Assert.Equal(0, CliApp.Run(["demo", "--data", data, "--epochs", "1", "--out", Out("demo"), "--home", home, "--threads", "1", "--seed", "3", "--precision", "Float32", "--no-feedback", "--no-optimize"]));
        // What the production model answers for the first raw test image, normalized by the pipeline in its artifact.
        float[] raw, expected;
        using (var production = new ModelRegistry(home).Load("fashion", "production"))
        {
            var pipeline = PreprocessingPipeline.FromJson(production.Metadata.Preprocessing!.ToJsonString());
            var (train, test) = FashionMnist.Load(data, testLimit: 1);
            using (train)
            using (test)
            using (var normalized = pipeline.TransformImages(test.Features))
            using (var output = production.Model.Predict(normalized))
            {
                raw = test.Features.reshape(-1).data<float>().ToArray();
                expected = output.reshape(-1).data<float>().ToArray();
            }
        }

        await using var app = ServeCommand.BuildApp(new ServeCommand.Settings(null, "http://127.0.0.1:0", Out("serving.db"), null, NoKeys: true, 8, 1, 64, 1) { Home = home });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var response = await http.PostAsJsonAsync("/v1/models/fashion/predict?outputs=raw", new { inputs = new[] { raw } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var served = body.RootElement.GetProperty("predictions")[0].GetProperty("outputs").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(expected.Length, served.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], served[i], 3);
        await app.StopAsync();
    }
}
