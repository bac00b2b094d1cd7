using System.Text.Json;
using ModelLoop.Data.Preprocessing;

namespace ModelLoop.Cli.Tests;

public sealed class DataCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-data-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static string Shipped(string name) => ShippedDatasets.Find(name);

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void InspectWritesTheClassBalanceAndFeatureDistributionPlots()
    {
        var exit = CliApp.Run(["data", "inspect", Shipped("breast_cancer.csv"), "--label", "target", "--out", Out("inspect")]);

        Assert.Equal(0, exit);
        Assert.True(new FileInfo(Out("inspect/class_balance.png")).Length > 1000);
        Assert.True(new FileInfo(Out("inspect/feature_distributions.png")).Length > 1000);
    }

    [Fact]
    public void PrepareWritesSplitsPipelineAndAManifestWithTheRequestedSeed()
    {
        var exit = CliApp.Run(["data", "prepare", Shipped("breast_cancer.csv"), "--label", "target", "--seed", "7", "--test", "0.25", "--out", Out("bc")]);

        Assert.Equal(0, exit);
        foreach (var file in new[] { "train.csv", "validation.csv", "test.csv", "pipeline.json", "manifest.json" })
            Assert.True(File.Exists(Out(Path.Combine("bc", file))), $"{file} missing");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Out("bc/manifest.json")));
        Assert.Equal(7, manifest.RootElement.GetProperty("splitSeeds").GetProperty("split").GetInt64());
        Assert.Equal(142, manifest.RootElement.GetProperty("counts").GetProperty("test").GetInt32()); // 25% of 569, per class rounded
        Assert.Matches("^[0-9a-f]{64}$", manifest.RootElement.GetProperty("hash").GetString());
    }

    [Fact]
    public void APreparedDatasetFolderTrainsAndEvaluatesWithItsOwnSplitPipelineAndVersion()
    {
        Assert.Equal(0, CliApp.Run(["data", "prepare", Shipped("breast_cancer.csv"), "--label", "target", "--seed", "3", "--out", Out("ds")]));

        var exit = CliApp.Run(["train", "--model", "mlp", "--data", Out("ds"), "--epochs", "2", "--seed", "1", "--threads", "1", "--no-track", "--out", Out("run")]);

        Assert.Equal(0, exit);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Out("ds/manifest.json")));
        using var artifact = ModelLoop.Artifacts.ModelArtifact.Load(Out("run/artifact"));
        Assert.Equal(manifest.RootElement.GetProperty("hash").GetString(), artifact.Metadata.Lineage.DatasetManifestHash);
        Assert.Equal(PreprocessingPipeline.FromJson(File.ReadAllText(Out("ds/pipeline.json"))).ToJson(), PreprocessingPipeline.FromJson(artifact.Metadata.Preprocessing!.ToJsonString()).ToJson());
        Assert.Equal(3, artifact.Metadata.Lineage.Split!.Seed);
        Assert.Equal(0, CliApp.Run(["eval", Out("run"), Out("ds"), "--threads", "1"]));
        using var evaluation = JsonDocument.Parse(File.ReadAllText(Out("run/eval/evaluation.json")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("run/summary.json")));
        Assert.Equal(manifest.RootElement.GetProperty("counts").GetProperty("test").GetInt64(), evaluation.RootElement.GetProperty("summary").GetProperty("samples").GetInt64());
        Assert.Equal(summary.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble(),
            evaluation.RootElement.GetProperty("summary").GetProperty("metrics").GetProperty("accuracy").GetDouble(), 9);
    }

    [Fact]
    public void AMissingLabelColumnIsAUserErrorWithExitCodeTwo()
    {
        var exit = CliApp.Run(["data", "prepare", Shipped("diabetes.csv"), "--label", "nope", "--out", Out("bad")]);

        Assert.Equal(2, exit);
        Assert.False(File.Exists(Out("bad/manifest.json")));
    }

    [Fact]
    public void PseudonymizingWithoutAKeyIsAUserErrorWithExitCodeTwo()
    {
        Environment.SetEnvironmentVariable("MODELLOOP_PII_KEY", null);

        var exit = CliApp.Run(["data", "prepare", Shipped("diabetes.csv"), "--anonymize", "Pseudonymize", "--out", Out("anon")]);

        Assert.Equal(2, exit);
    }

    [Fact]
    public void InspectSummarizesACifarBatchPerChannelAndPlotsItsClassBalance()
    {
        var records = Enumerable.Range(0, 6).SelectMany(r => new[] { (byte)(r % 3) }.Concat(Enumerable.Range(0, 3072).Select(p => (byte)(p * r)))).ToArray();
        File.WriteAllBytes(Out("batch.bin"), records);

        var exit = CliApp.Run(["data", "inspect", Out("batch.bin"), "--out", Out("cifar")]);

        Assert.Equal(0, exit);
        Assert.True(File.Exists(Out("cifar/class_balance.png")));
        Assert.True(File.Exists(Out("cifar/feature_distributions.png")));
    }
}
