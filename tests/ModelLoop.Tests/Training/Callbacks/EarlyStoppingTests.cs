using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training.Callbacks;

public sealed class EarlyStoppingTests
{
    [Fact]
    public void EarlyStoppingRestoresBestWeightsWhenPatienceRunsOut()
    {
        using var train = Classification(256);
        using var validation = WithShiftedLabels(train, classes: 3); // learning the training labels makes these worse
        using var model = Classifier();
        var recorder = new WeightRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true);

        var history = model.Fit(train, Options(epochs: 20), validation, [recorder, stopper]);

        Assert.True(stopper.StoppedEpoch >= 0, "training should have stopped early");
        Assert.Equal(stopper.StoppedEpoch + 1, history.Epochs.Count);
        Assert.Equal(stopper.BestEpoch + 2, stopper.StoppedEpoch); // patience epochs after the best
        Assert.Equal(history["val_loss"].Min(), history["val_loss"][stopper.BestEpoch]);
        AssertSameWeights(recorder.Epochs[stopper.BestEpoch], Snapshot(model));
        Assert.False(SameWeights(recorder.Epochs[^1], Snapshot(model)), "the last epoch's weights should have been replaced");
        Assert.Contains("val_loss", history.StopReason);
    }

    [Fact]
    public void EarlyStoppingWithoutRestoreKeepsTheLastEpochsWeights()
    {
        using var train = Classification(256);
        using var validation = WithShiftedLabels(train, classes: 3);
        using var model = Classifier();
        var recorder = new WeightRecorder();
        var stopper = new EarlyStopping(monitor: "val_loss", patience: 1);

        var history = model.Fit(train, Options(epochs: 20), validation, [recorder, stopper]);

        Assert.True(history.Epochs.Count < 20);
        AssertSameWeights(recorder.Epochs[^1], Snapshot(model));
    }

    [Fact]
    public void EarlyStoppingRejectsAMonitorThatIsNotLoggedBeforeTheFirstEpochAndListsTheLoggedKeys()
    {
        using var train = Classification(64);
        using var model = Classifier();
        var before = Snapshot(model);
        var probe = new HookProbe();

        var error = Assert.Throws<ArgumentException>(() =>
            model.Fit(train, Options(), callbacks: [probe, new EarlyStopping(monitor: "val_accuracy")]));

        Assert.Contains("'val_accuracy'", error.Message);
        Assert.Contains("Logged keys: loss, accuracy, lr, seconds", error.Message);
        Assert.Contains("validation data", error.Message);
        Assert.Equal(["OnTrainBegin"], probe.Calls);
        AssertSameWeights(before, Snapshot(model));
    }

    // Regression: the stop reason (written to the run's summary.json) was formatted in the current culture:
    // "did not improve by more than 1000000000,5" under de-DE.
    [Fact]
    public void TheStopReasonIsFormattedInTheInvariantCultureWhateverTheCurrentCulture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
        try
        {
            using var train = Classification(64);
            using var model = Classifier();
            var history = model.Fit(train, Options(epochs: 3), callbacks: [new EarlyStopping(monitor: "loss", patience: 1, minDelta: 1e9 + 0.5)]);

            Assert.Contains("by more than 1000000000.5 for 1 epoch(s)", history.StopReason);
            Assert.DoesNotContain(",", history.StopReason!.Split("; best ")[1]);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
