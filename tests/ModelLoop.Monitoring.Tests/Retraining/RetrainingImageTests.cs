using ModelLoop.Artifacts;
using ModelLoop.Evaluation;
using ModelLoop.Loop;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Registry;
using ModelLoop.Tests.Loop;
using ModelLoop.Training;

namespace ModelLoop.Monitoring.Tests.Retraining;

/// <summary>Retraining an image model on a feedback folder of PNGs: the path the Fashion-MNIST demo takes, at 28×28 toy scale.</summary>
public sealed class RetrainingImageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelloop-retrain-images-").FullName;
    private string Home => Path.Combine(_folder, "home");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void AnImageModelFineTunedOnShiftedFeedbackImagesIsPromotedAndKeepsItsNormalization()
    {
        var config = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [16], Dropout = 0 },
            Data = new DataConfig { Source = BandImages.IdxFolder(Path.Combine(_folder, "idx"), 30, 12), Validation = 0, NormalizeImages = true },
            Optimizer = new OptimizerConfig { LearningRate = 0.01 },
            Epochs = 15,
            BatchSize = 8,
            Seed = 3,
        };
        TrainingJob.Run(config, new TrainingJobOptions
        {
            OutputDirectory = Path.Combine(_folder, "champion"), Home = Home, Track = false, Progress = ProgressMode.Silent,
            RegisterAs = "bands", Aliases = ["production", "champion"],
        });
        // 20 column-band images per class: the last 6 of each (by name) are held out, 14 are trained on.
        var feedback = BandImages.PngFolder(Path.Combine(_folder, "feedback"), perClass: 20, columns: true);
        // A tolerance of a few test images: at this toy scale one image is several points, and threads may order sums differently.
        var policy = new RetrainingPolicy { MinHoldout = 18, FineTuneEpochs = 15, LearningRateScale = 1, Replay = 30, PromotionTolerance = 0.1 };

        var outcome = RetrainingJob.Run(new RetrainingRequest { Model = "bands", Feedback = [feedback], Policy = policy, Home = Home });

        Assert.True(outcome.Promoted, outcome.Job.Decision);
        Assert.Equal(18, outcome.Comparison!.Holdout.Samples);
        Assert.Equal(ComparisonVerdict.Better, outcome.Comparison.Holdout.Verdict);
        var registry = new ModelRegistry(Home);
        using var champion = ModelPackage.From(registry.Load("bands", "1"));
        using var challenger = ModelPackage.From(registry.Load("bands", "production"));
        Assert.NotNull(challenger.Pipeline!.Image);
        Assert.Equal(champion.Pipeline!.ToJson(), challenger.Pipeline.ToJson());
        Assert.Equal("bands:1", challenger.Lineage.ParentModel);
    }
}
