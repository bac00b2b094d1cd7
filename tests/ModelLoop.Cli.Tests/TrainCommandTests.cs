using System.Globalization;
using System.Text.Json;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Splits;
using ModelLoop.Data.Versioning;
using ModelLoop.Artifacts;

// The CLI sets libtorch's global thread count and seed: these tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ModelLoop.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static string BreastCancerCsv() => ShippedDatasets.Find("breast_cancer.csv");

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void TrainingAZooModelOnACsvWritesAWholeRunFolder()
    {
        var exit = CliApp.Run(["train", "--model", "mlp", "--data", BreastCancerCsv(), "--epochs", "3", "--batch-size", "32",
            "--seed", "1", "--threads", "1", "--device", "cpu", "--out", Out("run")]);

        Assert.Equal(0, exit);
        foreach (var file in new[] { "config.json", "history.csv", "summary.json", "dataset.json", "artifact/manifest.json" })
            Assert.True(File.Exists(Out(Path.Combine("run", file))), $"{file} missing");
        // One model package: no second copy of the weights, no second preprocessing route beside it.
        foreach (var file in new[] { "model.json", "weights.bin", "serving.json", "pipeline.json" })
            Assert.False(File.Exists(Out(Path.Combine("run", file))), $"{file} should not exist");
        Assert.Equal(4, File.ReadAllLines(Out("run/history.csv")).Length); // header + 3 epochs
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("run/summary.json")));
        var accuracy = summary.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy > 0.85, $"test accuracy {accuracy}");
    }

    [Fact]
    public void TrainingASpecFileBuildsTheModelItDescribes()
    {
        File.WriteAllText(Out("tiny.yaml"), """
            inputShape: [30]
            layers:
            - type: Dense
              units: 5
              activation: Relu
            - type: Dense
              units: 2
            """);

        var exit = CliApp.Run(["train", "--model", Out("tiny.yaml"), "--data", BreastCancerCsv(), "--epochs", "1", "--seed", "1", "--threads", "1", "--out", Out("spec-run")]);

        Assert.Equal(0, exit);
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("spec-run/summary.json")));
        Assert.Equal(30 * 5 + 5 + 5 * 2 + 2, summary.RootElement.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void ARunStartedAgainWithItsCheckpointResumesInsteadOfStartingOver()
    {
        string[] Args(int epochs) => ["train", "--model", "mlp", "--data", BreastCancerCsv(), "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed", "1", "--threads", "1", "--checkpoint", Out("run.ckpt"), "--out", Out("resumed")];

        Assert.Equal(0, CliApp.Run(Args(1)));
        Assert.Equal(0, CliApp.Run(Args(3)));

        Assert.Equal(4, File.ReadAllLines(Out("resumed/history.csv")).Length); // epochs 1–3, not 2–3
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("resumed/summary.json")));
        Assert.Equal(3, summary.RootElement.GetProperty("epochs").GetInt32());
    }

    /// <summary>
    /// 240 rows: a numeric column with missing cells ("" and NA), a categorical colour, and a yes/no label that follows
    /// the colour (red → yes) or a large x, so a small MLP can learn it only through both columns.
    /// </summary>
    private string MixedCsv()
    {
        var random = new Random(3);
        var colours = new[] { "red", "green", "blue" };
        var lines = new List<string> { "x,colour,label" };
        for (var i = 0; i < 240; i++)
        {
            var x = random.NextDouble() * 2;
            var colour = colours[i % 3];
            var cell = i % 7 == 0 ? "" : i % 11 == 0 ? "NA" : x.ToString("F3", CultureInfo.InvariantCulture);
            lines.Add($"{cell},{colour},{(colour == "red" || x > 1.5 ? "yes" : "no")}");
        }
        File.WriteAllLines(Out("mixed.csv"), lines);
        return Out("mixed.csv");
    }

    [Fact]
    public void ACsvWithCategoricalAndMissingValuesTrainsAndItsArtifactCarriesThePipelineAndDatasetVersion()
    {
        var exit = CliApp.Run(["train", "--model", "mlp", "--data", MixedCsv(), "--label", "label", "--epochs", "30", "--lr", "0.01", "--seed", "2",
            "--split-seed", "5", "--test-fraction", "0.25", "--threads", "1", "--no-track", "--out", Out("mixed")]);

        Assert.Equal(0, exit);
        using var artifact = ModelArtifact.Load(Out("mixed/artifact"));
        var pipeline = PreprocessingPipeline.FromJson(artifact.Metadata.Preprocessing!.ToJsonString());
        Assert.IsType<NumericColumn>(pipeline.Columns[0]);
        Assert.Equal(["colour=blue", "colour=green", "colour=red"], pipeline.FeatureNames.Where(f => f.StartsWith("colour", StringComparison.Ordinal)).Order());
        Assert.Equal(["no", "yes"], pipeline.Label!.Classes);
        Assert.Equal(new TrainingDataSplit("mixed.csv", ContentHash.OfFile(Out("mixed.csv")), "label", 0.1, 0.25, 5, true), artifact.Metadata.Lineage.Split);
        Assert.Equal(DatasetManifest.Load(Out("mixed/dataset.json")).Hash, artifact.Metadata.Lineage.DatasetManifestHash);
        Assert.Equal(60, DatasetManifest.Load(Out("mixed/dataset.json")).Counts["test"]);
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("mixed/summary.json")));
        var accuracy = summary.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy > 0.8, $"test accuracy {accuracy}");
    }

    [Fact]
    public void TheArtifactsPipelineRebuildsTheTestTensorsTheRunWasScoredOn()
    {
        Assert.Equal(0, CliApp.Run(["train", "--model", "mlp", "--data", BreastCancerCsv(), "--epochs", "2", "--seed", "6", "--threads", "1", "--no-track", "--out", Out("bc")]));

        using var artifact = ModelArtifact.Load(Out("bc/artifact"));
        var pipeline = PreprocessingPipeline.FromJson(artifact.Metadata.Preprocessing!.ToJsonString());
        var split = artifact.Metadata.Lineage.Split!;
        var table = TabularReader.Read(BreastCancerCsv());
        var rows = DataSplits.Stratified(table, split.LabelColumn!, split.Validation, split.Test, split.Seed);
        using var test = pipeline.ToDataset(table.Select(rows.Test));
        artifact.Model.Compile("adam", "cross_entropy", ["accuracy"]);
        var metrics = artifact.Model.Evaluate(test);

        using var summary = JsonDocument.Parse(File.ReadAllText(Out("bc/summary.json")));
        Assert.Equal(summary.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble(), metrics["accuracy"], 12);
        Assert.Equal(summary.RootElement.GetProperty("test").GetProperty("loss").GetDouble(), metrics["loss"], 5);
        // One raw record through the same pipeline gives that row of the test tensor, as a server would build it.
        var first = table.Select(rows.Test).Rows[0];
        using var record = pipeline.Transform(table.Columns.Zip(first).ToDictionary(p => p.First, p => p.Second));
        Assert.True(record.squeeze(0).allclose(test.Features[0]));
    }

    [Fact]
    public void TrainingFromAConfigFileRecordsThatConfigAndOptionsOverrideIt()
    {
        File.WriteAllText(Out("run.yaml"), $$"""
            model: { zoo: mlp, hidden: [8] }
            data: { source: "{{BreastCancerCsv()}}", label: target, validation: 0.2, test: 0.2, splitSeed: 9 }
            optimizer: { name: sgd, learningRate: 0.05, momentum: 0.9 }
            epochs: 5
            batchSize: 32
            seed: 4
            """);

        var exit = CliApp.Run(["train", "--config", Out("run.yaml"), "--epochs", "2", "--threads", "1", "--no-track", "--out", Out("from-config")]);

        Assert.Equal(0, exit);
        var ran = ModelLoop.Loop.TrainingConfig.Load(Out("from-config/config.json"));
        Assert.Equal(2, ran.Epochs);
        Assert.Equal("sgd", ran.Optimizer.Name);
        Assert.Equal(0.05, ran.Optimizer.LearningRate);
        Assert.Equal([8], ran.Model.Hidden!);
        Assert.Equal(9, ran.Data.SplitSeed);
        Assert.Equal(3, File.ReadAllLines(Out("from-config/history.csv")).Length); // header + 2 epochs
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("from-config/summary.json")));
        Assert.Equal(ran.Hash, summary.RootElement.GetProperty("configHash").GetString());
    }

    [Fact]
    public void EveryShippedConfigLoadsAndValidates()
    {
        var folder = Path.GetDirectoryName(ShippedDatasets.Find("breast_cancer.csv"))!;
        var configs = Directory.GetFiles(Path.Combine(folder, "..", "samples", "configs"), "*.yaml");

        Assert.NotEmpty(configs);
        foreach (var path in configs)
        {
            if (path.EndsWith("-space.yaml", StringComparison.Ordinal))
            {
                // A search space (modelloop tune --space) over the training config it is named after.
                var baseConfig = ModelLoop.Loop.TrainingConfig.Load(path.Replace("-space.yaml", ".yaml", StringComparison.Ordinal));
                ModelLoop.Optimization.Tuning.SearchSpace.Load(path).CheckAgainst(baseConfig);
                continue;
            }
            var config = ModelLoop.Loop.TrainingConfig.Load(path).Validate();
            var source = ModelLoop.Loop.DataSource.ResolveSource(config.Data.Source);
            Assert.True(Path.Exists(source) || source == ModelLoop.Data.FashionMnist.DefaultDirectory, $"{path}: data.source {source} does not exist");
        }
    }

    [Fact]
    public void AConfigWithAnUnknownFieldIsAUserErrorBeforeAnyTraining()
    {
        File.WriteAllText(Out("typo.yaml"), "model: { zoo: mlp }\nepochz: 3\n");

        Assert.Equal(2, CliApp.Run(["train", "--config", Out("typo.yaml"), "--no-track", "--out", Out("typo")]));
        Assert.False(Directory.Exists(Out("typo")));
    }

    [Theory]
    [InlineData("--model", "no-such-model")]
    [InlineData("--data", "/no/such/file.csv")]
    [InlineData("--loss", "hinge")]
    [InlineData("--optimizer", "lbfgs")]
    public void BadInputEndsWithExitCodeTwoInsteadOfACrash(string option, string value)
    {
        string[] args = ["train", "--data", BreastCancerCsv(), "--model", "mlp", "--epochs", "1", "--threads", "1", "--out", Out("bad")];
        var index = Array.IndexOf(args, option);
        if (index >= 0)
            args[index + 1] = value;
        else
            args = [.. args, option, value];

        Assert.Equal(2, CliApp.Run(args));
    }
}
