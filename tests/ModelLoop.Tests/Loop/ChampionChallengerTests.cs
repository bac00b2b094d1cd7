using ModelLoop.Evaluation;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Tests.Training;
using ModelLoop.Training;

namespace ModelLoop.Tests.Loop;

public sealed class ChampionChallengerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private TrainingConfig Config(int epochs, int? limit = null) => new()
    {
        Model = new ModelConfig { Zoo = "mlp", Hidden = [16] },
        Data = new DataConfig { Source = Path.Exists(_folder.File("mixed.csv")) ? _folder.File("mixed.csv") : LoopData.MixedCsv(_folder.Path, rows: 600), Label = "label", Limit = limit },
        Optimizer = new OptimizerConfig { LearningRate = 0.01 },
        Epochs = epochs,
        BatchSize = 16,
        Seed = 2,
    };

    private int Register(string folder, TrainingConfig config) => TrainingJob.Run(config, new TrainingJobOptions
    {
        OutputDirectory = _folder.File(folder), Home = _folder.File("home"), RegisterAs = "mixed", Progress = ProgressMode.Silent,
    }).Registered!.Version;

    [Fact]
    public void AClearlyBetterChallengerIsPromotedWithTheReasonRecorded()
    {
        // The champion saw 12 rows for one epoch (its own pipeline, fitted on those rows); the challenger trained properly.
        var champion = Register("champion", Config(1, limit: 12));
        var challenger = Register("challenger", Config(25));
        var registry = new ModelRegistry(_folder.File("home"));
        registry.SetAlias("mixed", "production", champion);

        var decision = ChampionChallenger.Run(registry, "mixed", champion, challenger);

        Assert.True(decision.Promoted, decision.Reason);
        Assert.Equal(ComparisonVerdict.Better, decision.Verdict);
        Assert.Equal(challenger, registry.GetDefaultVersion("mixed").Version);
        Assert.Contains(registry.History("mixed", "production"), change => change.Reason == decision.Reason);
    }

    [Fact]
    public void AWorseChallengerIsRejectedAndProductionStays()
    {
        var champion = Register("champion", Config(25));
        var challenger = Register("challenger", Config(1, limit: 12));
        var registry = new ModelRegistry(_folder.File("home"));
        registry.SetAlias("mixed", "production", champion);

        var decision = ChampionChallenger.Run(registry, "mixed", champion, challenger);

        Assert.False(decision.Promoted);
        Assert.Equal(champion, registry.GetDefaultVersion("mixed").Version);
        Assert.Equal(challenger, registry.GetAliasVersion("mixed", "challenger"));
    }
}
