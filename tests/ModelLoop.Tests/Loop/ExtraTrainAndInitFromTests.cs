using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

/// <summary>data.extraTrain, data.replay and initFrom: what retraining on feedback and fine-tuning add to the one data path.</summary>
public sealed class ExtraTrainAndInitFromTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private DataConfig MixedData() => new() { Source = LoopData.MixedCsv(_folder.Path), Label = "label", Validation = 0.2, Test = 0.2, SplitSeed = 4 };

    /// <summary>A feedback export: the mixed table's columns plus an id column, a few rows without a label.</summary>
    private string FeedbackCsv(int rows, string name = "feedback.csv")
    {
        var folder = Directory.CreateDirectory(_folder.File("source-of-" + name)).FullName;
        var source = File.ReadAllLines(LoopData.MixedCsv(folder, rows, seed: 9)).Skip(1).ToArray();
        var lines = new List<string> { "id,x,colour,day,label" };
        lines.AddRange(source.Select((line, i) => $"{i},{line}"));
        lines.Add("999,0.5,red,2024-02-02,"); // unlabelled: dropped
        var path = _folder.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private TrainingConfig MixedConfig(int epochs = 2) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [16] },
        Data = MixedData(),
        Optimizer = new OptimizerConfig { LearningRate = 0.01 },
        Epochs = epochs,
        BatchSize = 16,
        Seed = 11,
    };

    private TrainingJobOptions Options(string name) => new() { OutputDirectory = _folder.File(name), Track = false, Progress = ProgressMode.Silent };

    [Fact]
    public void ExtraTrainRowsJoinOnlyTheTrainingPartAndTheManifestNamesThem()
    {
        var feedback = FeedbackCsv(40);
        using var plain = DataSource.Load(MixedData(), ModelTask.Classification);
        using var extended = DataSource.Load(MixedData() with { ExtraTrain = [feedback] }, ModelTask.Classification);

        Assert.Equal(plain.Train.Count + 40, extended.Train.Count);
        Assert.Equal(plain.Validation!.Count, extended.Validation!.Count);
        Assert.True(plain.Test.Features.allclose(extended.Test.Features), "the test rows must not change");
        Assert.Equal(plain.Pipeline!.ToJson(), extended.Pipeline!.ToJson());
        Assert.Equal(40, extended.Manifest.Counts["extraTrain"]);
        Assert.Contains("feedback.csv sha256=", extended.Manifest.Notes["extraTrain"], StringComparison.Ordinal);
        Assert.Contains("rows=40", extended.Manifest.Notes["extraTrain"], StringComparison.Ordinal);
        Assert.NotEqual(plain.Manifest.Hash, extended.Manifest.Hash);
    }

    [Fact]
    public void AnExtraTableWithoutAnInputColumnIsRefusedByName()
    {
        var path = _folder.File("partial.csv");
        File.WriteAllLines(path, ["x,day,label", "0.5,2024-01-01,yes"]);

        var error = Assert.Throws<ArgumentException>(() => DataSource.Load(MixedData() with { ExtraTrain = [path] }, ModelTask.Classification));

        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
        Assert.Contains("partial.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplayKeepsASeededSampleOfTheTrainingRowsAndLeavesTheTestRows()
    {
        using var all = DataSource.Load(MixedData(), ModelTask.Classification);
        using var half = DataSource.Load(MixedData() with { Replay = 0.5 }, ModelTask.Classification);
        using var again = DataSource.Load(MixedData() with { Replay = 0.5 }, ModelTask.Classification);
        using var ten = DataSource.Load(MixedData() with { Replay = 10 }, ModelTask.Classification);

        Assert.Equal(Math.Round(all.Train.Count * 0.5), half.Train.Count);
        Assert.True(half.Train.Features.allclose(again.Train.Features), "the same seed must keep the same rows");
        Assert.Equal(10, ten.Train.Count);
        Assert.True(all.Test.Features.allclose(half.Test.Features));
        Assert.StartsWith("10 of ", ten.Manifest.Notes["replay"], StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraImageFoldersAreScaledLikeTheIdxFilesAndMappedOntoTheClasses()
    {
        var source = IdxFolder();
        var feedback = Directory.CreateDirectory(_folder.File("feedback-images")).FullName;
        BandImages.WritePng(Path.Combine(feedback, "2"), "a.png", BandImages.Pixels(2));
        BandImages.WritePng(Path.Combine(feedback, "2"), "b.png", BandImages.Pixels(2));
        BandImages.WritePng(Path.Combine(feedback, "0"), "c.png", BandImages.Pixels(0));
        var config = new DataConfig { Source = source, Validation = 0, ExtraTrain = [feedback] };

        using var plain = DataSource.Load(config with { ExtraTrain = null }, ModelTask.Classification);
        using var data = DataSource.Load(config, ModelTask.Classification);

        Assert.Equal(plain.Train.Count + 3, data.Train.Count);
        // Folders in ordinal order: 0 then 2; the pixels are the same values the IDX path gives the same square.
        Assert.Equal([0L, 2L, 2L], data.Train.Labels.narrow(0, plain.Train.Count, 3).data<long>().ToArray());
        var firstOfClass2 = plain.Train.Features[plain.Train.Labels.eq(2)][0];
        Assert.True(data.Train.Features[plain.Train.Count + 1].allclose(firstOfClass2), "a PNG and an IDX image of the same pixels must give the same tensor");
        Assert.Equal(3, data.Manifest.Counts["extraTrain"]);
    }

    [Fact]
    public void AnImageFolderWhoseSubFolderNamesNoClassIsRefused()
    {
        var feedback = Directory.CreateDirectory(_folder.File("bad-images")).FullName;
        BandImages.WritePng(Path.Combine(feedback, "cats"), "a.png", BandImages.Pixels(1));

        var error = Assert.Throws<ArgumentException>(() => DataSource.Load(new DataConfig { Source = IdxFolder(), ExtraTrain = [feedback] }, ModelTask.Classification));

        Assert.Contains("'cats'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitFromStartsFromThePackageWeightsAndReusesItsPipelineWithoutRefitting()
    {
        var champion = TrainingJob.Run(MixedConfig(3), Options("champion"));
        // A rate of ~0 keeps the weights: the fine-tuned model must then score what the champion scored.
        var fineTune = MixedConfig(1) with
        {
            InitFrom = champion.PackagePath,
            Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = 1e-12 },
            Data = MixedData() with { Limit = 50, ExtraTrain = [FeedbackCsv(30)] },
        };

        var tuned = TrainingJob.Run(fineTune, Options("tuned"));

        Assert.Equal(champion.Test["accuracy"], tuned.Test["accuracy"], 6);
        Assert.Equal(champion.Test["loss"], tuned.Test["loss"], 4);
        using var first = ModelPackage.Load(champion.PackagePath);
        using var second = ModelPackage.Load(tuned.PackagePath);
        Assert.Equal(first.Pipeline!.ToJson(), second.Pipeline!.ToJson());
        Assert.Equal(champion.PackagePath, second.Lineage.ParentModel);
        Assert.Equal(champion.PackagePath, TrainingConfig.FromJsonNode(second.Config).InitFrom);
    }

    [Fact]
    public void InitFromRefusesAModelOfAnotherArchitectureBeforeTraining()
    {
        var champion = TrainingJob.Run(MixedConfig(1), Options("champion"));
        var wider = MixedConfig(1) with { InitFrom = champion.PackagePath, Model = new ModelConfig { Zoo = "mlp", Hidden = [32] } };

        var error = Assert.Throws<ArgumentException>(() => TrainingJob.Run(wider, Options("wider")));

        Assert.Contains("architecture", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File("wider/config.json")));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    public void ReplayMustBeAFractionOrAWholeCount(double replay)
    {
        var error = Assert.Throws<ArgumentException>(() => (MixedConfig() with { Data = MixedData() with { Replay = replay } }).Validate());

        Assert.Contains("data.replay", error.Message, StringComparison.Ordinal);
        Assert.Contains(replay.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNewFieldsRoundTripThroughJsonAndYamlAndStayOutOfConfigsThatDoNotUseThem()
    {
        var config = MixedConfig() with { InitFrom = "fashion:production", Data = MixedData() with { ExtraTrain = ["feedback/train.csv"], Replay = 2000 } };

        Assert.Equal(config.Hash, TrainingConfig.FromJson(config.ToJson()).Hash);
        Assert.Equal(config.Hash, TrainingConfig.FromYaml(config.ToYaml()).Hash);
        Assert.Equal(["feedback/train.csv"], TrainingConfig.FromYaml(config.ToYaml()).Data.ExtraTrain!);
        var plain = MixedConfig().ToJson();
        Assert.DoesNotContain("extraTrain", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("replay", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("initFrom", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadingAConfigResolvesExtraSourcesAndInitFromNextToTheConfigFile()
    {
        var folder = Directory.CreateDirectory(_folder.File("configs")).FullName;
        File.WriteAllText(Path.Combine(folder, "feedback.csv"), "x,colour,day,label\n");
        Directory.CreateDirectory(Path.Combine(folder, "champion"));
        File.WriteAllText(Path.Combine(folder, "tune.yaml"), "data: { source: mixed.csv, extraTrain: [feedback.csv, elsewhere.csv] }\ninitFrom: champion\n");

        var config = TrainingConfig.Load(Path.Combine(folder, "tune.yaml"));

        Assert.Equal([Path.Combine(folder, "feedback.csv"), "elsewhere.csv"], config.Data.ExtraTrain!);
        Assert.Equal(Path.Combine(folder, "champion"), config.InitFrom);
    }

    private string IdxFolder() => BandImages.IdxFolder(_folder.File("idx"), 30, 12);
}
