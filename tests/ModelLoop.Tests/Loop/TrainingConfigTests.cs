using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

public sealed class TrainingConfigTests
{
    private static TrainingConfig Sample() => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [16, 8] },
        Data = new DataConfig { Source = "data.csv", Label = "y", Validation = 0.15, SplitSeed = 7 },
        Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = 0.05, Momentum = 0.9 },
        Schedule = new ScheduleConfig { Name = "cosine", WarmupFraction = 0.1 },
        Epochs = 12,
        BatchSize = 32,
        Precision = Precision.BFloat16,
        Augment = ["flip", "crop"],
        EarlyStopping = new EarlyStoppingConfig { Monitor = "val_accuracy", Patience = 4 },
        ReduceOnPlateau = new ReduceOnPlateauConfig { Factor = 0.5 },
        Seed = 42,
    };

    [Fact]
    public void AConfigRoundTripsThroughJsonAndYamlWithTheSameHash()
    {
        var config = Sample();

        var fromJson = TrainingConfig.FromJson(config.ToJson());
        var fromYaml = TrainingConfig.FromYaml(config.ToYaml());

        Assert.Equal(config.Hash, fromJson.Hash);
        Assert.Equal(config.Hash, fromYaml.Hash);
        Assert.Equal([16, 8], fromYaml.Model.Hidden!);
        Assert.Equal(Precision.BFloat16, fromYaml.Precision);
        Assert.Equal("val_accuracy", fromYaml.EarlyStopping!.Monitor);
        Assert.Equal(0.5, fromYaml.ReduceOnPlateau!.Factor);
    }

    [Fact]
    public void TheHashIgnoresKeyOrderButNotValues()
    {
        var config = Sample();
        var node = config.ToJsonNode().AsObject();
        var reordered = new JsonObject(node.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

        Assert.Equal(config.Hash, TrainingConfig.FromJsonNode(reordered).Hash);
        Assert.NotEqual(config.Hash, (config with { Epochs = 13 }).Hash);
        Assert.NotEqual(config.Hash, (config with { Data = config.Data with { SplitSeed = 8 } }).Hash);
    }

    [Fact]
    public void AnUnknownFieldIsRefusedWithItsPath()
    {
        var error = Assert.Throws<FormatException>(() => TrainingConfig.FromYaml("model: { zoo: mlp }\nepohcs: 3\n", "run.yaml"));

        Assert.Contains("run.yaml", error.Message);
        Assert.Contains("epohcs", error.Message);
    }

    [Fact]
    public void AYamlDocumentThatExpandsWithoutBoundIsRefusedQuickly()
    {
        var lines = new List<string> { "a: &a [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 0; i < 9; i++)
            lines.Add($"{(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(", ", Enumerable.Repeat("*" + (char)('a' + i), 10))}]");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<FormatException>(() => TrainingConfig.FromYaml(string.Join('\n', lines), "bomb.yaml"));

        Assert.Contains("aliases", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("epochs: 0", "epochs")]
    [InlineData("model: { zoo: vgg99 }", "vgg99")]
    [InlineData("data: { validation: 0.5, test: 0.5 }", "data.test")]
    [InlineData("schedule: { name: triangle }", "triangle")]
    [InlineData("augment: [mixup]", "mixup")]
    [InlineData("reduceOnPlateau: { factor: 2 }", "reduceOnPlateau")]
    [InlineData("model: { zoo: mlp, spec: { inputShape: [2], layers: [] } }", "exactly one")]
    public void ValidationNamesTheFieldThatIsWrong(string yaml, string expected)
    {
        var config = TrainingConfig.FromYaml(yaml);

        var error = Assert.Throws<ArgumentException>(() => config.Validate());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void TheTaskIsRegressionExactlyWhenTheLossIsMseUnlessTheDataSaysSo()
    {
        Assert.Equal(ModelTask.Classification, new TrainingConfig().Task);
        Assert.Equal(ModelTask.Regression, new TrainingConfig { Loss = "mse" }.Task);
        Assert.Equal(ModelTask.Regression, new TrainingConfig { Data = new DataConfig { Task = ModelTask.Regression } }.Task);
    }

    [Fact]
    public void LoadingReadsASpecFileIntoTheConfigSoTheSavedConfigIsSelfContained()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("net.yaml"), "inputShape: [3]\nlayers:\n- type: Dense\n  units: 2\n");
        File.WriteAllText(folder.File("run.yaml"), "model: { specFile: net.yaml }\ndata: { source: t.csv }\n");

        var config = TrainingConfig.Load(folder.File("run.yaml"));
        config.Save(folder.File("saved.json"));
        var saved = TrainingConfig.Load(folder.File("saved.json"));

        Assert.Null(saved.Model.SpecFile);
        Assert.Equal(2, saved.Model.Spec!["layers"]![0]!["units"]!.GetValue<int>());
        Assert.Equal(config.Hash, saved.Hash);
    }
}
