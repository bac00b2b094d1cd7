using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

/// <summary>transferFrom (partial load into a new model), with freeze and per-group learning rates.</summary>
public sealed class TransferFromTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private TrainingConfig Config(IReadOnlyList<int> hidden) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = hidden, Dropout = 0 },
        Data = new DataConfig { Source = LoopData.MixedCsv(_folder.Path), Label = "label", Validation = 0.2, Test = 0.2, SplitSeed = 4 },
        Optimizer = new OptimizerConfig { LearningRate = 0.01 },
        Epochs = 2,
        BatchSize = 16,
        Seed = 11,
    };

    private TrainingJobOptions Options(string name, List<string>? log = null) =>
        new() { OutputDirectory = _folder.File(name), Track = false, Progress = ProgressMode.Silent, Log = log is null ? null : log.Add };

    [Fact]
    public void TransferFromLoadsWhatFitsKeepsFrozenLayersAndNamesTheSourceAsParent()
    {
        var source = TrainingJob.Run(Config([16]), Options("source"));
        var log = new List<string>();
        var config = Config([16, 8]) with
        {
            TransferFrom = source.RunDirectory,
            Freeze = ["dense_1."],
            ParameterGroups = [new ParameterGroupConfig { Match = "dense_3.", LearningRateScale = 10 }],
        };

        var result = TrainingJob.Run(config, Options("target", log));

        using var before = ModelPackage.Load(source.PackagePath);
        using var after = ModelPackage.Load(result.PackagePath);
        var from = before.Model.Network.state_dict();
        var into = after.Model.Network.state_dict();
        Assert.True(from["dense_1.op.weight"].allclose(into["dense_1.op.weight"], 0, 0), "the frozen, transferred layer must keep the source's weights");
        Assert.False(from["dense_1.op.weight"].shape.SequenceEqual(into["dense_2.op.weight"].shape));
        var note = Assert.Single(log, line => line.StartsWith("transferFrom", StringComparison.Ordinal));
        Assert.Contains("loaded 2: dense_1.op.weight, dense_1.op.bias", note, StringComparison.Ordinal);
        // The source's head (dense_2, no activation) and the new hidden layer (dense_2 with ReLU: "dense_2.op.") differ by name.
        Assert.Contains("new 4: dense_2.op.weight, dense_2.op.bias, dense_3.weight, dense_3.bias", note, StringComparison.Ordinal);
        Assert.Contains("unused 2: dense_2.weight, dense_2.bias", note, StringComparison.Ordinal);
        Assert.Equal(source.RunDirectory, after.Lineage.ParentModel);
        Assert.Equal(source.RunDirectory, TrainingConfig.FromJsonNode(after.Config).TransferFrom);
    }

    [Fact]
    public void ParameterGroupsAndTransferFromRoundTripThroughYaml()
    {
        var config = Config([16]) with { TransferFrom = "fashion:champion", ParameterGroups = [new ParameterGroupConfig { Match = "dense_2.", LearningRateScale = 10, WeightDecay = 0 }] };

        var read = TrainingConfig.FromYaml(config.ToYaml());

        Assert.Equal("fashion:champion", read.TransferFrom);
        Assert.Equal(config.ParameterGroups, read.ParameterGroups!);
        Assert.Equal(config.Hash, read.Hash);
    }

    [Theory]
    [InlineData("", 1.0, "parameterGroups[].match")]
    [InlineData("dense_2.", 0.0, "learningRateScale must be positive")]
    public void BadParameterGroupsAreRefusedByName(string match, double scale, string expected)
    {
        var config = Config([16]) with { ParameterGroups = [new ParameterGroupConfig { Match = match, LearningRateScale = scale }] };

        var error = Assert.Throws<ArgumentException>(() => config.Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitFromAndTransferFromTogetherAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => (Config([16]) with { InitFrom = "a", TransferFrom = "b" }).Validate());

        Assert.Contains("initFrom ('a') and transferFrom ('b')", error.Message, StringComparison.Ordinal);
    }
}
