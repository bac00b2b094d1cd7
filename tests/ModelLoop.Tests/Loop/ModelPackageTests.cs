using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Loop;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

public sealed class ModelPackageTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ModelPackage Trained()
    {
        var config = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [16] },
            Data = new DataConfig { Source = LoopData.MixedCsv(_folder.Path), Label = "label", SplitSeed = 2 },
            Optimizer = new OptimizerConfig { LearningRate = 0.01 },
            Epochs = 15,
            BatchSize = 16,
            Seed = 5,
        };
        var result = TrainingJob.Run(config, new TrainingJobOptions { OutputDirectory = _folder.File("run"), Track = false, Progress = ProgressMode.Silent });
        return ModelPackage.Load(result.PackagePath);
    }

    [Fact]
    public void APackageKnowsItsTaskClassesAndRawColumns()
    {
        using var package = Trained();

        Assert.Equal(ModelTask.Classification, package.Task);
        Assert.Equal(["no", "yes"], package.ClassNames!);
        Assert.Equal(["x", "colour", "day"], package.InputColumns!);
        Assert.NotNull(package.Config);
    }

    [Fact]
    public void DecodeGivesTheLabelAndProbabilitiesThatSumToOne()
    {
        using var package = Trained();
        var records = new[]
        {
            new Dictionary<string, string?> { ["x"] = "0.2", ["colour"] = "red", ["day"] = "2024-03-01" },
            new Dictionary<string, string?> { ["x"] = "0.2", ["colour"] = "blue", ["day"] = "2024-03-01" },
        };

        using var inputs = package.Encode(records);
        var predictions = package.Predict(inputs);

        Assert.Equal(2, predictions.Count);
        Assert.Equal("yes", predictions[0].Label);
        Assert.Equal(1, predictions[0].Class);
        Assert.Equal("no", predictions[1].Label);
        foreach (var prediction in predictions)
            Assert.Equal(1.0, prediction.Probabilities!.Values.Sum(), 5);
    }

    [Fact]
    public void ARecordWithAMissingColumnIsAFormatErrorNamingTheColumn()
    {
        using var package = Trained();

        var error = Assert.Throws<FormatException>(() => package.Encode([new Dictionary<string, string?> { ["x"] = "1" }]));

        Assert.Contains("colour", error.Message);
    }

    [Fact]
    public void TheRecordedTaskDecidesForAPackageWithoutALabel()
    {
        var ten = new TensorSchema([10], "F32", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);

        Assert.Equal(ModelTask.Regression, PackageInfo.From(new ArtifactMetadata { Task = ModelTask.Regression, Output = ten }).Task);
        Assert.Equal("c", PackageInfo.From(new ArtifactMetadata { Task = ModelTask.Classification, Output = ten }).Label(2));
        Assert.True(PackageInfo.From(new ArtifactMetadata { Task = ModelTask.Classification, Output = new TensorSchema([1], "F32") }).SingleLogitBinary);
    }
}
