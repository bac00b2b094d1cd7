using ModelLoop.Data.Versioning;
using ModelLoop.Evaluation;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Training;

namespace ModelLoop.Monitoring.Tests.Retraining;

public sealed class RetrainingJobTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "modelloop-retrain-" + Guid.NewGuid().ToString("N"));
    private string Home => Path.Combine(_folder, "home");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Small enough for a 200-item feedback export (60 held out); a tolerance of 2 points on 80 original test rows.</summary>
    private static readonly RetrainingPolicy Policy = new() { Mode = RetrainMode.Retrain, MinHoldout = 30, PromotionTolerance = 0.02 };

    [Fact]
    public void AChallengerTrainedOnShiftedFeedbackIsPromotedAndTheAliasHistorySaysWhichJobAndWhy()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 200, shifted: true, seed: 5);

        var outcome = RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = [feedback], Policy = Policy, Home = Home });

        Assert.True(outcome.Promoted, outcome.Job.Decision);
        var registry = new ModelRegistry(Home);
        var challenger = outcome.Job.ChallengerVersion!.Value;
        Assert.Equal(2, challenger);
        Assert.Equal(challenger, registry.GetAliasVersion(ShiftedTable.Model, "production"));
        Assert.Equal(challenger, registry.GetAliasVersion(ShiftedTable.Model, "champion"));
        var promotion = registry.History(ShiftedTable.Model, "production")[^1];
        Assert.Equal(RetrainingJob.Actor, promotion.Actor);
        Assert.Contains($"Retraining job {outcome.Job.Id} [{outcome.Job.Key}]", promotion.Reason, StringComparison.Ordinal);
        Assert.Contains("Promoted v2", promotion.Reason, StringComparison.Ordinal);
        Assert.Equal(outcome.Job.Key, registry.GetVersion(ShiftedTable.Model, challenger).Tags[RetrainingJob.JobTag]);

        var comparison = outcome.Comparison!;
        Assert.Equal(60, comparison.Holdout.Samples);
        Assert.Equal(ComparisonVerdict.Better, comparison.Holdout.Verdict);
        Assert.True(comparison.OriginalDrop <= Policy.PromotionTolerance, $"drop {comparison.OriginalDrop}");
        Assert.Equal(80, comparison.Original.Samples);
        Assert.Equal([RetrainingJobState.Pending, RetrainingJobState.Training, RetrainingJobState.Training, RetrainingJobState.Comparing, RetrainingJobState.Comparing, RetrainingJobState.Comparing, RetrainingJobState.Promoted],
            outcome.Steps.Select(s => s.State).ToArray());

        // Once in production it is monitored against the held-out recent feedback, the traffic it was retrained for.
        var reference = registry.ReadMetadata(ShiftedTable.Model, "production").Metadata.Reference!;
        Assert.Equal("reference source", reference.Source);
        Assert.Equal(60, reference.Rows);

        // Lineage: the challenger's dataset manifest names the feedback it learned from.
        var manifest = DatasetManifest.Load(Path.Combine(Home, "retraining", $"job-{outcome.Job.Id}", "run", "dataset.json"));
        Assert.Contains("feedback-train.csv sha256=", manifest.Notes["extraTrain"], StringComparison.Ordinal);
        Assert.Equal(140, manifest.Counts["extraTrain"]);
        Assert.Equal(manifest.Hash, registry.GetVersion(ShiftedTable.Model, challenger).DatasetManifestHash);
    }

    [Fact]
    public void AChallengerNoBetterOnTheFeedbackIsRejectedAndProductionStays()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 200, shifted: false, seed: 6);
        var holdout = ShiftedTable.Write(Path.Combine(_folder, "holdout.csv"), 60, shifted: false, seed: 7);

        var outcome = RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = [feedback], Holdout = holdout, Policy = Policy, Home = Home });

        Assert.Equal(RetrainingJobState.Rejected, outcome.Job.State);
        Assert.NotEqual(ComparisonVerdict.Better, outcome.Comparison!.Holdout.Verdict);
        var registry = new ModelRegistry(Home);
        Assert.Equal(1, registry.GetAliasVersion(ShiftedTable.Model, "production"));
        Assert.Equal(2, registry.GetAliasVersion(ShiftedTable.Model, "challenger"));
        Assert.Contains("Rejected: not better on the held-out feedback", registry.GetVersion(ShiftedTable.Model, 2).Tags["promotion.reason"], StringComparison.Ordinal);
        Assert.Contains("not better", outcome.Job.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public void FineTuningStartsFromTheProductionVersionWithAReplayOfTheOriginalRows()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 200, shifted: true, seed: 5);
        var policy = Policy with { Mode = RetrainMode.FineTune, FineTuneEpochs = 15, LearningRateScale = 1, Replay = 150 };

        var outcome = RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = [feedback], Policy = policy, Home = Home });

        var registry = new ModelRegistry(Home);
        using var challenger = ModelLoop.Artifacts.ModelPackage.From(registry.Load(ShiftedTable.Model, "2"));
        using var champion = ModelLoop.Artifacts.ModelPackage.From(registry.Load(ShiftedTable.Model, "1"));
        Assert.Equal("shift:1", challenger.Lineage.ParentModel);
        Assert.Equal(champion.Pipeline!.ToJson(), challenger.Pipeline!.ToJson());
        var manifest = DatasetManifest.Load(Path.Combine(Home, "retraining", $"job-{outcome.Job.Id}", "run", "dataset.json"));
        Assert.StartsWith("150 of ", manifest.Notes["replay"], StringComparison.Ordinal);
        Assert.True(outcome.Promoted, outcome.Job.Decision);
    }

    [Fact]
    public void AHoldoutSmallerThanThePolicyMinimumFailsTheJobWithTheCounts()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 20, shifted: true, seed: 5);

        var error = Assert.Throws<InvalidDataException>(() =>
            RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = [feedback], Policy = Policy, Home = Home }));

        Assert.Contains("6 labelled items", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 30", error.Message, StringComparison.Ordinal);
        var job = new RetrainingStore(Home).Latest(ShiftedTable.Model)!;
        Assert.Equal(RetrainingJobState.Failed, job.State);
        Assert.Single(new ModelRegistry(Home).ListVersions(ShiftedTable.Model));
    }

    [Fact]
    public void ASecondRetrainingOfAModelWhileOneRunsIsRefusedWithoutRecordingAJob()
    {
        _ = new ModelRegistry(Home);
        using var running = RetrainingLock.Acquire(Home, ShiftedTable.Model);

        var error = Assert.Throws<InvalidOperationException>(() =>
            RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = ["feedback.csv"], Home = Home }));

        Assert.Contains("already running", error.Message, StringComparison.Ordinal);
        Assert.Null(new RetrainingStore(Home).Latest(ShiftedTable.Model));
    }

    [Fact]
    public void AJobKilledAfterMovingOneAliasMovesOnlyTheOtherWhenRunAgain()
    {
        var job = JobLeftInComparing();
        var registry = new ModelRegistry(Home);
        registry.SetAlias(ShiftedTable.Model, "champion", 2, $"Retraining job {job.Id} [{job.Key}] (moved by the killed run)", RetrainingJob.Actor);

        var outcome = RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = ["not read when resuming.csv"], Home = Home });

        Assert.True(outcome.Resumed);
        Assert.True(outcome.Promoted, outcome.Job.Decision);
        Assert.Single(registry.History(ShiftedTable.Model, "champion"), c => c.Actor == RetrainingJob.Actor);
        Assert.Single(registry.History(ShiftedTable.Model, "production"), c => c.Actor == RetrainingJob.Actor);
        Assert.Contains(outcome.Steps, s => s.Message == "Alias 'champion' already points at v2 by this job; not moved again.");
        Assert.Equal(2, registry.GetAliasVersion(ShiftedTable.Model, "production"));
    }

    [Fact]
    public void AChallengerIsNotPromotedOverAProductionVersionThatChangedWhileTheJobRan()
    {
        var job = JobLeftInComparing();
        var registry = new ModelRegistry(Home);
        var other = registry.Register(ShiftedTable.Model, Path.Combine(_folder, "champion", "artifact"));
        registry.SetAlias(ShiftedTable.Model, "production", other.Version, "promoted by hand meanwhile");

        var outcome = RetrainingJob.Run(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = ["unused.csv"], Home = Home });

        Assert.Equal(RetrainingJobState.Rejected, outcome.Job.State);
        Assert.Contains($"production moved to v{other.Version}", outcome.Job.Decision, StringComparison.Ordinal);
        Assert.Equal(other.Version, registry.GetAliasVersion(ShiftedTable.Model, "production"));
        Assert.True(outcome.Comparison!.Promote, "the comparison alone would have promoted it");
    }

    [Fact]
    public void RunIfDueStartsAJobOnlyWhenThePolicyDecidesAndRecordsItsTriggerAndReason()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 200, shifted: true, seed: 5);
        var request = new RetrainingRequest { Model = ShiftedTable.Model, Feedback = [feedback], Policy = Policy, Home = Home };
        var now = DateTimeOffset.UtcNow;

        var (quiet, none) = RetrainingJob.RunIfDue(request, new RetrainSignals { Now = now, LabelsSinceLastJob = 10 });
        var (alarm, outcome) = RetrainingJob.RunIfDue(request, new RetrainSignals { Now = now, DriftAlarmAt = now.AddMinutes(-5) });
        var (coolingDown, again) = RetrainingJob.RunIfDue(request, new RetrainSignals { Now = now.AddHours(1), DriftAlarmAt = now.AddMinutes(30) });

        Assert.False(quiet.Retrain);
        Assert.Null(none);
        Assert.Equal(RetrainTrigger.DriftAlarm, alarm.Trigger);
        Assert.Equal(RetrainTrigger.DriftAlarm, outcome!.Job.Trigger);
        Assert.Equal(alarm.Reason, outcome.Job.Reason);
        Assert.Contains("trigger DriftAlarm: Drift alarm at", RegistryReason(), StringComparison.Ordinal);
        Assert.False(coolingDown.Retrain);
        Assert.Null(again);
        Assert.Single(new RetrainingStore(Home).List(ShiftedTable.Model));

        string RegistryReason() => new ModelRegistry(Home).History(ShiftedTable.Model, "production")[^1].Reason!;
    }

    /// <summary>A job as a killed run leaves it after registering its challenger (v2, trained on the shifted feedback): in Comparing.</summary>
    private RetrainingJobRecord JobLeftInComparing()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 140, shifted: true, seed: 5);
        var holdout = ShiftedTable.Write(Path.Combine(_folder, "holdout.csv"), 60, shifted: true, seed: 8);
        var store = new RetrainingStore(Home);
        var job = store.Create(new RetrainingRequest { Model = ShiftedTable.Model, Feedback = [feedback], Holdout = holdout, Policy = Policy }, RetrainMode.Retrain, 1, "test");
        var config = RetrainingJob.ChallengerConfig(ShiftedTable.ChampionConfig(Path.Combine(_folder, "original.csv")), ShiftedTable.Model, 1, RetrainMode.Retrain, Policy, [feedback]);
        TrainingJob.Run(config, new TrainingJobOptions
        {
            OutputDirectory = Path.Combine(_folder, "challenger"),
            Home = Home,
            Track = false,
            Progress = ProgressMode.Silent,
            RegisterAs = ShiftedTable.Model,
            Tags = new Dictionary<string, string> { [RetrainingJob.JobTag] = job.Key },
        });
        store.Advance(job.Id, RetrainingJobState.Pending, RetrainingJobState.Training, "prepared by the test");
        return store.Advance(job.Id, RetrainingJobState.Training, RetrainingJobState.Comparing, "trained by the test", challengerVersion: 2);
    }
}
