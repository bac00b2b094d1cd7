using ModelLoop.Tests.Training;
using ModelLoop.Training;
using ModelLoop.Tracking;

namespace ModelLoop.Tests.Tracking;

public sealed class RunTrackerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void FitWithATrackerRecordsEveryEpochAndFinishesTheRun()
    {
        var store = new RunStore(_folder.File("home"));
        using var data = TrainingFixtures.Classification(64);
        using var model = TrainingFixtures.Classifier();
        var tracker = new RunTracker(store, "classifier", new Dictionary<string, string> { ["model"] = "dense" }, "hash-1") { BatchLogInterval = 2 };

        var history = model.Fit(data, new FitOptions { Epochs = 3, BatchSize = 16, Seed = 1, Progress = ProgressMode.Silent }, callbacks: [tracker]);

        var run = store.GetRun(tracker.RunId!);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal(("dense", "3", "4"), (run.Parameters["model"], run.Parameters["epochs"], run.Parameters["batches_per_epoch"]));
        var metrics = store.GetMetrics(run.Id);
        Assert.Equal(history["loss"], metrics["loss"].Select(p => p.Value));
        Assert.Equal([1L, 2L, 3L], metrics["accuracy"].Select(p => p.Step));
        Assert.Equal([2L, 4L, 6L, 8L, 10L, 12L], metrics["batch/loss"].Select(p => p.Step));
    }

    [Fact]
    public void AFailureRecordedByTheCallerShowsAsFailedWithTheError()
    {
        var store = new RunStore(_folder.File("home"));
        using var data = TrainingFixtures.Classification(32);
        using var model = TrainingFixtures.Classifier();
        var tracker = new RunTracker(store, "x") { FinishOnTrainEnd = false };
        model.Fit(data, new FitOptions { Epochs = 1, Progress = ProgressMode.Silent }, callbacks: [tracker]);

        tracker.Fail(new InvalidDataException("disk full"));

        var run = store.GetRun(tracker.RunId!);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("disk full", run.Error);
    }

    [Fact]
    public void ATrainingResumedFromItsCheckpointContinuesTheSameRun()
    {
        var store = new RunStore(_folder.File("home"));
        using var data = TrainingFixtures.Classification(64);
        var options = new FitOptions { Epochs = 2, BatchSize = 16, Seed = 1, Progress = ProgressMode.Silent, CheckpointPath = _folder.File("ckpt") };
        string first;
        using (var model = TrainingFixtures.Classifier())
        {
            var tracker = new RunTracker(store, "resumable") { FinishOnTrainEnd = false }; // as if killed after epoch 2
            model.Fit(data, options, callbacks: [tracker]);
            first = tracker.RunId!;
        }

        using var again = TrainingFixtures.Classifier();
        var resumed = new RunTracker(store, "resumable");
        again.Fit(data, options with { Epochs = 4 }, callbacks: [resumed]);

        Assert.Equal(first, resumed.RunId);
        Assert.Single(store.ListRuns());
        Assert.Equal([1L, 2L, 3L, 4L], store.GetMetrics(first)["loss"].Select(p => p.Step));
        Assert.Equal(RunStatus.Finished, store.GetRun(first).Status);
    }
}
