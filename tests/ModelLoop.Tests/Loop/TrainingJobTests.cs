using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

public sealed class TrainingJobTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private TrainingConfig MixedConfig(int epochs = 20) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [16] },
        Data = new DataConfig { Source = LoopData.MixedCsv(_folder.Path), Label = "label", Validation = 0.2, Test = 0.2, SplitSeed = 4 },
        Optimizer = new OptimizerConfig { LearningRate = 0.01 },
        Epochs = epochs,
        BatchSize = 16,
        Seed = 11,
    };

    private TrainingJobOptions Options(string name) => new() { OutputDirectory = _folder.File(name), Track = false, Progress = ProgressMode.Silent };

    [Fact]
    public void TheRunFolderHoldsTheConfigItRanAndRunningThatConfigAgainGivesTheSameModel()
    {
        var first = TrainingJob.Run(MixedConfig(3) with { Seed = null }, Options("first"));

        var recorded = TrainingConfig.Load(_folder.File("first/config.json"));
        var second = TrainingJob.Run(recorded, Options("second"));

        Assert.Equal(first.History.Seed, recorded.Seed);
        Assert.Equal(first.Config.Hash, recorded.Hash);
        Assert.Equal(first.Test["loss"], second.Test["loss"], 10);
        using var package = ModelPackage.Load(first.PackagePath);
        Assert.Equal(recorded.Hash, TrainingConfig.FromJsonNode(package.Config).Hash);
    }

    [Fact]
    public void AResumedRunRecordsTheSeedItsCheckpointStartedWith()
    {
        var checkpoint = _folder.File("run.ckpt");
        var first = TrainingJob.Run(MixedConfig(1) with { Seed = null }, Options("resumed") with { CheckpointPath = checkpoint });

        var resumed = TrainingJob.Run(MixedConfig(3) with { Seed = null }, Options("resumed") with { CheckpointPath = checkpoint });

        Assert.Equal(first.History.Seed, resumed.History.Seed);
        Assert.Equal(first.History.Seed, TrainingConfig.Load(_folder.File("resumed/config.json")).Seed);
        Assert.Equal(first.History.Seed, resumed.Config.Seed);
    }

    [Fact]
    public void ValidationMetricsAreMeasuredOnTheValidationSplitAndTheTestSplitOnlyAtTheEnd()
    {
        var config = MixedConfig(4);
        var result = TrainingJob.Run(config, Options("run"));

        using var data = DataSource.Load(config.Data, config.Task);
        using var package = ModelPackage.Load(result.PackagePath);
        package.Model.Compile("adam", "cross_entropy", ["accuracy"]);
        var onValidation = package.Model.Evaluate(data.Validation!);
        var onTest = package.Model.Evaluate(data.Test);

        Assert.Equal(60, data.Validation!.Count);
        Assert.Equal(onValidation["loss"], result.History.Epochs[^1]["val_loss"], 5);
        Assert.Equal(onTest["loss"], result.Test["loss"], 5);
        Assert.NotEqual(result.Test["loss"], result.History.Epochs[^1]["val_loss"], 5);
        using var summary = JsonDocument.Parse(File.ReadAllText(_folder.File("run/summary.json")));
        Assert.Equal(60, summary.RootElement.GetProperty("validationSamples").GetInt32());
    }

    [Fact]
    public void TheSplitFractionsPartitionTheLabelledRows()
    {
        var config = MixedConfig();
        using var data = DataSource.Load(config.Data, config.Task);

        Assert.Equal(300, data.Train.Count + data.Validation!.Count + data.Test.Count);
        Assert.Equal(60, data.Test.Count);
        Assert.Equal(["no", "yes"], data.ClassNames!);
        Assert.Equal(data.Manifest.Hash, DataSource.Load(config.Data, config.Task).Manifest.Hash);
    }

    [Fact]
    public void AnEncryptedRunLeavesNoPlainCopyOfTheModelBesideThePackage()
    {
        var key = ArtifactEncryptionKey.Generate();
        var checkpoint = _folder.File("run.ckpt");

        TrainingJob.Run(MixedConfig(2), Options("secret") with { EncryptionKey = key, CheckpointPath = checkpoint });

        var files = Directory.EnumerateFiles(_folder.File("secret"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_folder.File("secret"), f)).Order().ToArray();
        Assert.Equal(["artifact/manifest.json", "artifact/model.json", "artifact/weights.safetensors", "checksums.json", "config.json", "history.csv", "summary.json"], files);
        Assert.False(File.Exists(checkpoint), "the checkpoint holds plain weights");
        Assert.DoesNotContain("\"mean\"", File.ReadAllText(_folder.File("secret/artifact/model.json")));
        Assert.Throws<InvalidDataException>(() => ModelPackage.Load(_folder.File("secret/artifact"), new ArtifactLoadOptions()));
        using var package = ModelPackage.Load(_folder.File("secret/artifact"), new ArtifactLoadOptions { EncryptionKey = key });
        Assert.True(package.ReadsRecords);
    }

    [Fact]
    public void APrivacySectionWithoutADifferentiallyPrivatePluginIsRefusedInsteadOfTrainingWithoutPrivacy()
    {
        var config = MixedConfig(1) with { Privacy = new PrivacyConfig { Epsilon = 3 } };

        var error = Assert.Throws<ArgumentException>(() => TrainingJob.Run(config, Options("private")));

        Assert.Contains("privacy section", error.Message);
        Assert.Contains("PrivateTraining", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder.File("private"), "artifact")));
    }

    [Fact]
    public void EarlyStoppingOnAValidationMetricWithoutAValidationSplitIsRefusedBeforeTraining()
    {
        var config = MixedConfig() with { EarlyStopping = new EarlyStoppingConfig() };
        config = config with { Data = config.Data with { Validation = 0 } };

        var error = Assert.Throws<ArgumentException>(() => TrainingJob.Run(config, Options("early")));

        Assert.Contains("data.validation", error.Message);
        Assert.False(File.Exists(_folder.File("early/history.csv")));
    }

    [Fact]
    public void TextAsTokenIdsIntoADenseModelIsRefusedBeforeTrainingSayingWhatToUse()
    {
        var lines = new List<string> { "review,label" };
        string[] good = ["great", "fine", "good", "lovely"], bad = ["bad", "awful", "poor", "broken"];
        for (var i = 0; i < 80; i++)
            lines.Add(i % 2 == 0 ? $"{good[i % 4]} and {good[(i / 4) % 4]} order {i},yes" : $"{bad[i % 4]} and {bad[(i / 4) % 4]} order {i},no");
        File.WriteAllLines(_folder.File("reviews.csv"), lines);
        var config = MixedConfig() with { Data = new DataConfig { Source = _folder.File("reviews.csv"), Label = "label", TextEncoding = ModelLoop.Data.Preprocessing.TextEncoding.TokenIds } };

        var error = Assert.Throws<ArgumentException>(() => TrainingJob.Run(config, Options("tokens")));

        Assert.Contains("'review'", error.Message);
        Assert.Contains("Embedding", error.Message);
        Assert.False(File.Exists(_folder.File("tokens/history.csv")));
        // The default bag of words is what a Dense model reads.
        var bagOfWords = TrainingJob.Run(config with { Data = config.Data with { TextEncoding = ModelLoop.Data.Preprocessing.TextEncoding.BagOfWords }, Epochs = 10 }, Options("words"));
        Assert.True(bagOfWords.Test["accuracy"] > 0.9, $"accuracy {bagOfWords.Test["accuracy"]}");
    }

    [Fact]
    public void FrozenParametersKeepTheirInitialValuesWhileTheRestTrain()
    {
        var config = MixedConfig(3) with { Seed = 7, Model = new ModelConfig { Zoo = "mlp", Hidden = [8], Dropout = 0 } };
        Shape inputShape;
        using (var data = DataSource.Load(config.Data, config.Task))
            inputShape = data.Train.SampleShape;
        TorchSharp.torch.random.manual_seed(7);
        using var initial = ModelLoop.Modeling.Zoo.ModelZoo.Mlp(inputShape, 2, [8], 0);
        var names = initial.Network.named_parameters().Select(p => p.name).ToArray();
        var first = names[0][..(names[0].IndexOf('.') + 1)];

        var result = TrainingJob.Run(config with { Freeze = [first] }, Options("frozen"));

        using var package = ModelPackage.Load(result.PackagePath);
        var trained = package.Model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in initial.Network.named_parameters())
        {
            var same = trained[name].allclose(parameter);
            Assert.True(name.StartsWith(first, StringComparison.Ordinal) == same, $"{name}: frozen {name.StartsWith(first, StringComparison.Ordinal)}, unchanged {same}");
        }
    }

    /// <summary>A folder of MNIST-family IDX files: 40 training and 20 test images of 3 classes (a bright square per class).</summary>
    private string ImageFolder()
    {
        var folder = _folder.File("images");
        Directory.CreateDirectory(folder);
        foreach (var (prefix, count) in new[] { ("train", 40), ("t10k", 20) })
        {
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 3)).ToArray();
            var pixels = labels.SelectMany(label => Enumerable.Range(0, 28 * 28).Select(p => (byte)(p / 28 / 10 == label ? 255 : 0))).ToArray();
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), ModelLoop.Tests.Data.IdxFiles.Encode([count, 28, 28], pixels));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), ModelLoop.Tests.Data.IdxFiles.Encode([count], labels));
        }
        return folder;
    }

    [Fact]
    public void AnImageFolderHoldsOutValidationImagesAndKeepsItsOwnTestFiles()
    {
        var config = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [16] },
            Data = new DataConfig { Source = ImageFolder(), Validation = 0.25, NormalizeImages = true },
            Epochs = 5,
            BatchSize = 8,
            Seed = 1,
        };

        var result = TrainingJob.Run(config, Options("images"));

        using var package = ModelPackage.Load(result.PackagePath);
        Assert.Equal(["0", "1", "2"], package.ClassNames!);
        Assert.NotNull(package.Pipeline!.Image);
        using var data = DataSource.Load(config.Data, config.Task);
        Assert.Equal((30, 10, 20), (data.Train.Count, data.Validation!.Count, data.Test.Count));
        Assert.True(result.Test["accuracy"] > 0.9, $"accuracy {result.Test["accuracy"]}");
    }

    [Fact]
    public void ATableModelEvaluatedOnImagesIsRefusedSayingWhy()
    {
        var table = TrainingJob.Run(MixedConfig(1), Options("table"));

        var error = Assert.Throws<ArgumentException>(() => EvaluationJob.Run(new EvaluationRequest { Model = table.RunDirectory, Data = ImageFolder() }));

        Assert.Contains("for a table", error.Message);
    }

    [Fact]
    public void ReduceOnPlateauLowersTheRateWhenTheMonitoredMetricStalls()
    {
        // A rate far too small to move the loss: every epoch is a plateau, so after each patience of 1 the rate halves.
        var config = MixedConfig(4) with
        {
            Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = 1e-9 },
            ReduceOnPlateau = new ReduceOnPlateauConfig { Monitor = "loss", Factor = 0.5, Patience = 0 },
        };

        var result = TrainingJob.Run(config, Options("plateau"));

        var rates = result.History["lr"];
        Assert.True(rates[^1] < rates[0], $"rates {string.Join(", ", rates)}");
    }

    [Fact]
    public void ARegressionConfigTrainsARegressorWhosePackageNamesItsOutput()
    {
        var config = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [8], Dropout = 0 },
            Data = new DataConfig { Source = LoopData.LinearCsv(_folder.Path), Label = "y" },
            Loss = "mse",
            Optimizer = new OptimizerConfig { LearningRate = 0.02 },
            Epochs = 30,
            BatchSize = 16,
            Seed = 3,
        };

        var result = TrainingJob.Run(config, Options("linear"));

        using var package = ModelPackage.Load(result.PackagePath);
        Assert.Equal(ModelTask.Regression, package.Task);
        Assert.Equal(["y"], package.OutputNames!);
        Assert.True(result.Test["mae"] < 1.0, $"mae {result.Test["mae"]}");
        var prediction = package.Predict(package.Encode([new Dictionary<string, string?> { ["a"] = "1", ["b"] = "0" }]))[0];
        Assert.Equal(4.0, prediction.Values!["y"], 0); // 3·1 − 2·0 + 1, to the nearest unit
    }
}
