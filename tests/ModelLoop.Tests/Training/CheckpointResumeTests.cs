using ModelLoop.Modeling;
using ModelLoop.Tests.TrainChild;
using ModelLoop.Training;
using ModelLoop.Training.Callbacks;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training;

public sealed class CheckpointResumeTests
{
    [Fact]
    public void AFitResumedFromAShorterRunsCheckpointEndsBitIdenticalToAnUninterruptedRun()
    {
        SingleThreaded(() =>
        {
            using var folder = new TempFolder();
            using var train = Classification(256);
            using var validation = Classification(64, seed: 2);

            using var uninterrupted = Classifier(dropout: 0.3);
            var expected = uninterrupted.Fit(train, Options(epochs: 4) with { CheckpointPath = folder.File("full.ckpt") }, validation);

            using var firstHalf = Classifier(dropout: 0.3);
            firstHalf.Fit(train, Options(epochs: 2) with { CheckpointPath = folder.File("split.ckpt") }, validation);
            // A fresh model with other initial weights: everything must come from the checkpoint.
            using var resumed = Classifier(initSeed: 99, dropout: 0.3);
            var actual = resumed.Fit(train, Options(epochs: 4) with { CheckpointPath = folder.File("split.ckpt") }, validation);

            Assert.Equal(2, actual.ResumedFromEpoch);
            AssertSameWeights(Snapshot(uninterrupted), Snapshot(resumed));
            AssertSameHistory(expected, actual);
        });
    }

    // Regression: the bfloat16 copy of the network was made before the checkpoint was loaded, so a resumed
    // bf16 run started from the fresh model's weights and copied its batch statistics over the restored ones.
    [Fact]
    public void ABFloat16FitResumedFromACheckpointEndsBitIdenticalToAnUninterruptedRun()
    {
        SingleThreaded(() =>
        {
            using var folder = new TempFolder();
            using var train = Classification(256);

            using var uninterrupted = Classifier(dropout: 0.3);
            uninterrupted.Fit(train, Options(epochs: 4) with { Precision = Precision.BFloat16, CheckpointPath = folder.File("full.ckpt") });

            using var firstHalf = Classifier(dropout: 0.3);
            firstHalf.Fit(train, Options(epochs: 2) with { Precision = Precision.BFloat16, CheckpointPath = folder.File("split.ckpt") });
            using var resumed = Classifier(initSeed: 99, dropout: 0.3);
            var actual = resumed.Fit(train, Options(epochs: 4) with { Precision = Precision.BFloat16, CheckpointPath = folder.File("split.ckpt") });

            Assert.Equal(2, actual.ResumedFromEpoch);
            AssertSameWeights(Snapshot(uninterrupted), Snapshot(resumed));
        });
    }

    [Fact]
    public void ACheckpointOfAFinishedRunIsNotTrainedFurther()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var options = Options(epochs: 2) with { CheckpointPath = folder.File("run.ckpt") };
        model.Fit(train, options);
        var after = Snapshot(model);

        var again = model.Fit(train, options);

        Assert.Equal(2, again.ResumedFromEpoch);
        Assert.Equal(2, again.Epochs.Count);
        AssertSameWeights(after, Snapshot(model));
    }

    [Fact]
    public void ResumeFalseIgnoresAnExistingCheckpoint()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var options = Options(epochs: 2) with { CheckpointPath = folder.File("run.ckpt") };
        model.Fit(train, options);

        var fresh = model.Fit(train, options with { Resume = false });

        Assert.Equal(0, fresh.ResumedFromEpoch);
        Assert.Equal(2, fresh.Epochs.Count);
    }

    [Fact]
    public void ResumingWithADifferentArchitectureIsRefusedWithAClearMessage()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var options = Options(epochs: 1) with { CheckpointPath = folder.File("run.ckpt") };
        model.Fit(train, options);
        using var other = Classifier(dropout: 0.5);

        var error = Assert.Throws<InvalidDataException>(() => other.Fit(train, options with { Epochs = 2 }));

        Assert.Contains("different model architecture", error.Message);
        Assert.Contains(folder.File("run.ckpt"), error.Message);
    }

    [Fact]
    public void ResumingWithOtherParameterGroupsIsRefusedNamingBothGroupings()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var options = Options(epochs: 1) with { CheckpointPath = folder.File("run.ckpt") };
        model.Fit(train, options);
        using var grouped = Classifier(options: new CompileOptions { ParameterGroups = [new ParameterGroup("biases", n => n.EndsWith("bias", StringComparison.Ordinal)) { LearningRateScale = 0.1 }] });

        var error = Assert.Throws<InvalidDataException>(() => grouped.Fit(train, options with { Epochs = 2 }));

        Assert.Contains("default: 4 parameter tensor(s)]", error.Message);
        Assert.Contains("biases: 2 parameter tensor(s)", error.Message);
        Assert.Contains("delete the file", error.Message);
    }

    [Fact]
    public void EarlyStoppingStateSurvivesAResume()
    {
        SingleThreaded(() =>
        {
            using var folder = new TempFolder();
            using var train = Classification(256);
            using var validation = WithShiftedLabels(train, classes: 3); // val_loss gets worse as training goes on

            using var uninterrupted = Classifier();
            var stopper = new EarlyStopping(patience: 2);
            var expected = uninterrupted.Fit(train, Options(epochs: 20), validation, [stopper]);

            using var interrupted = Classifier();
            var path = folder.File("run.ckpt");
            interrupted.Fit(train, Options(epochs: stopper.BestEpoch + 2) with { CheckpointPath = path }, validation, [new EarlyStopping(patience: 2)]);
            var resumedStopper = new EarlyStopping(patience: 2);
            var actual = interrupted.Fit(train, Options(epochs: 20) with { CheckpointPath = path }, validation, [resumedStopper]);

            Assert.Equal(stopper.StoppedEpoch, resumedStopper.StoppedEpoch);
            Assert.Equal(stopper.BestEpoch, resumedStopper.BestEpoch);
            Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
            Assert.Equal(expected.StopReason, actual.StopReason);
        });
    }

    // Regression (was a bug in src/ModelLoop/Training/Callbacks/EarlyStopping.cs): the best weights are kept only in memory, not in
    // SaveState, so a run resumed after its best epoch cannot restore them and ends with the last epoch's weights.
    [Fact]
    public void EarlyStoppingRestoresTheBestWeightsAfterAResumeLikeAnUninterruptedRun()
    {
        SingleThreaded(() =>
        {
            using var folder = new TempFolder();
            using var train = Classification(256);
            using var validation = WithShiftedLabels(train, classes: 3);

            using var uninterrupted = Classifier();
            var stopper = new EarlyStopping(patience: 2, restoreBestWeights: true);
            uninterrupted.Fit(train, Options(epochs: 20), validation, [stopper]);
            Assert.True(stopper.StoppedEpoch > 0, "the test needs a run that stops early");

            // Interrupted after the best epoch and before the stop (which comes 2 epochs after the best).
            using var interrupted = Classifier();
            var path = folder.File("run.ckpt");
            interrupted.Fit(train, Options(epochs: stopper.BestEpoch + 2) with { CheckpointPath = path }, validation,
                [new EarlyStopping(patience: 2, restoreBestWeights: true)]);
            interrupted.Fit(train, Options(epochs: 20) with { CheckpointPath = path }, validation,
                [new EarlyStopping(patience: 2, restoreBestWeights: true)]);

            AssertSameWeights(Snapshot(uninterrupted), Snapshot(interrupted));
        });
    }

    // Regression (was a bug in src/ModelLoop/Training/Callbacks/MetricsLogger.cs): OnTrainBegin clears the rows and there is no
    // SaveState/LoadState, so after a resume the file is rewritten with only the epochs run since the resume.
    [Fact]
    public void MetricsLoggerStillHasARowForEveryEpochAfterAResume()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var checkpoint = folder.File("run.ckpt");
        var csv = folder.File("metrics.csv");
        model.Fit(train, Options(epochs: 2) with { CheckpointPath = checkpoint }, callbacks: [new MetricsLogger(csv)]);

        model.Fit(train, Options(epochs: 4) with { CheckpointPath = checkpoint }, callbacks: [new MetricsLogger(csv)]);

        var epochs = File.ReadAllLines(csv).Skip(1).Select(line => line.Split(',')[0]).ToList();
        Assert.Equal(["1", "2", "3", "4"], epochs);
    }

    // Regression: a metric that is undefined on the validation data (roc_auc of one class) is NaN in the logs; the
    // checkpoint header and the JSON-lines logger serialized the history with System.Text.Json's defaults, which throw
    // ArgumentException on NaN, so the run died after its first epoch.
    [Fact]
    public void AnUndefinedValidationMetricIsCheckpointedAndLoggedAsNaNAndSurvivesAResume()
    {
        using var folder = new TempFolder();
        using var train = Classification(64, classes: 2);
        using var oneClass = new ModelLoop.Data.TensorDataset(train.Features[..8].clone(), TorchSharp.torch.zeros(8, TorchSharp.torch.ScalarType.Int64));
        using var model = Classifier(classes: 2);
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy", "roc_auc"]);
        var checkpoint = folder.File("run.ckpt");
        var lines = folder.File("metrics.jsonl");

        model.Fit(train, Options(epochs: 1) with { CheckpointPath = checkpoint }, oneClass, [new MetricsLogger(lines, MetricsFormat.JsonLines)]);
        var history = model.Fit(train, Options(epochs: 2) with { CheckpointPath = checkpoint }, oneClass, [new MetricsLogger(lines, MetricsFormat.JsonLines)]);

        Assert.Equal(1, history.ResumedFromEpoch);
        Assert.All(history["val_roc_auc"], v => Assert.True(double.IsNaN(v)));
        Assert.Equal(2, File.ReadAllLines(lines).Length);
        Assert.Contains("\"val_roc_auc\":\"NaN\"", File.ReadAllText(lines));
    }

    // Regression (was a bug in src/ModelLoop/Training/TrainingCheckpoint.cs): callback state is keyed "{index}:{type}" over the list
    // that includes the ProgressDisplay Fit inserts at index 0 unless Progress is Silent, so resuming with another
    // Progress setting shifts every index and the callbacks silently start from scratch.
    [Fact]
    public void CallbackStateSurvivesAResumeWithAnotherProgressSetting()
    {
        using var folder = new TempFolder();
        using var train = Classification(64);
        using var model = Classifier();
        var checkpoint = folder.File("run.ckpt");
        // minDelta no change can beat: the first epoch is the best, later ones only add to Wait.
        model.Fit(train, Options(epochs: 2) with { CheckpointPath = checkpoint, Progress = ProgressMode.Lines },
            callbacks: [new EarlyStopping(monitor: "loss", patience: 5, minDelta: 1e9)]);
        var resumed = new EarlyStopping(monitor: "loss", patience: 5, minDelta: 1e9);

        model.Fit(train, Options(epochs: 3) with { CheckpointPath = checkpoint, Progress = ProgressMode.Silent }, callbacks: [resumed]);

        Assert.Equal(0, resumed.BestEpoch);
        Assert.Equal(2, resumed.Wait);
    }

    [Fact]
    public void AChildKilledAfterEpochTwoLeavesALoadableCheckpointAndResumesToBitIdenticalWeights()
    {
        const int epochs = 5;
        using var folder = new TempFolder();
        using var reference = ChildProcess.Start("--checkpoint", folder.File("reference.ckpt"), "--epochs", $"{epochs}", "--weights-out", folder.File("reference.bin"));

        // Killed right after it reports epoch 2; it sleeps before each later epoch, so it cannot finish first.
        var killedCheckpoint = folder.File("killed.ckpt");
        var killedWeights = folder.File("killed.bin");
        using (var killed = ChildProcess.Start("--checkpoint", killedCheckpoint, "--epochs", $"{epochs}", "--weights-out", killedWeights, "--pause-ms", "30000"))
        {
            killed.WaitForLine("epoch 2");
            killed.Kill();
        }

        Assert.True(File.Exists(killedCheckpoint), "the killed run wrote no checkpoint");
        Assert.False(File.Exists(killedWeights), "the killed run should not have finished");
        var completed = LoadCheckpoint(killedCheckpoint);
        Assert.InRange(completed, 1, 2); // epoch 2's checkpoint, or epoch 1's if the kill landed while epoch 2's was written

        using (var resumed = ChildProcess.Start("--checkpoint", killedCheckpoint, "--epochs", $"{epochs}", "--weights-out", killedWeights))
        {
            var lines = resumed.WaitForExit();
            Assert.Contains($"resumed-from {completed}", lines);
            Assert.Equal(Enumerable.Range(completed + 1, epochs - completed).Select(e => $"epoch {e}"), lines.Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        }
        var referenceLines = reference.WaitForExit();
        Assert.Contains("resumed-from 0", referenceLines);

        using var expected = ChildTraining.Model();
        expected.LoadWeights(folder.File("reference.bin"));
        using var actual = ChildTraining.Model();
        actual.LoadWeights(killedWeights);
        AssertSameWeights(Snapshot(expected), Snapshot(actual));
    }

    /// <summary>Loads a checkpoint the way Fit does and returns how many epochs it holds; throws if it is incomplete.</summary>
    private static int LoadCheckpoint(string path)
    {
        using var model = ChildTraining.Model();
        var groups = ParameterGrouping.Build(model.Network, model.Compiled!);
        using var optimizer = model.Compiled!.Optimizer.Create(groups);
        var history = new History();
        var header = TrainingCheckpoint.Load(path, model, optimizer, groups, [], history);
        Assert.Equal(header.EpochsCompleted, history.Epochs.Count);
        return header.EpochsCompleted;
    }

    private static void AssertSameHistory(History expected, History actual)
    {
        Assert.Equal(expected.Seed, actual.Seed);
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        for (var e = 0; e < expected.Epochs.Count; e++)
        {
            var keys = expected.Epochs[e].Keys.Where(k => k != "seconds").Order().ToList(); // wall time differs
            Assert.Equal(keys, actual.Epochs[e].Keys.Where(k => k != "seconds").Order());
            foreach (var key in keys)
                Assert.Equal(expected.Epochs[e][key], actual.Epochs[e][key]);
        }
    }
}
