using ModelLoop.Training;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training.Callbacks;

public sealed class CallbackHookTests
{
    [Fact]
    public void ACustomCallbackSeesTheHooksInTrainEpochBatchOrder()
    {
        using var train = Classification(10); // batches of 4: 4, 4, 2
        using var model = Classifier();
        var probe = new HookProbe();

        model.Fit(train, Options(epochs: 2, batchSize: 4), callbacks: [probe]);

        var expected = new List<string> { "OnTrainBegin" };
        for (var e = 0; e < 2; e++)
        {
            expected.Add($"OnEpochBegin({e})");
            for (var b = 0; b < 3; b++)
                expected.AddRange([$"OnBatchBegin({e}.{b})", $"OnBatchEnd({e}.{b})"]);
            expected.Add($"OnEpochEnd({e})");
        }
        expected.Add("OnTrainEnd");
        Assert.Equal(expected, probe.Calls);
    }

    [Fact]
    public void SettingStopTrainingEndsAfterTheCurrentEpochAndTheReasonReachesTheHistory()
    {
        using var train = Classification(10);
        using var model = Classifier();
        var probe = new HookProbe();
        var stopper = new StopAt(epoch: 1, batch: 0, reason: "enough for this test");

        var history = model.Fit(train, Options(epochs: 5, batchSize: 4), callbacks: [stopper, probe]);

        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal("enough for this test", history.StopReason);
        Assert.Contains("OnBatchEnd(1.2)", probe.Calls); // the epoch it was set in runs to its end
        Assert.DoesNotContain("OnEpochBegin(2)", probe.Calls);
        Assert.Equal("OnTrainEnd", probe.Calls[^1]);
    }

    [Fact]
    public void TheContextTellsCallbacksTheRunsShapeBeforeTheFirstEpoch()
    {
        using var train = Classification(10);
        using var validation = Classification(6, seed: 2);
        using var model = Classifier();
        var seen = new ContextSpy();

        model.Fit(train, Options(epochs: 3, batchSize: 4), validation, [seen]);

        Assert.Equal((3, 3L), (seen.Epochs, seen.BatchesPerEpoch));
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds"], seen.LogKeys);
        Assert.Same(model, seen.Model);
    }

    private sealed class StopAt(int epoch, long batch, string reason) : Callback
    {
        public override void OnBatchEnd(TrainingContext context)
        {
            if (context.Epoch == epoch && context.Batch == batch)
            {
                context.StopTraining = true;
                context.StopReason = reason;
            }
        }
    }

    private sealed class ContextSpy : Callback
    {
        public int Epochs { get; private set; }
        public long BatchesPerEpoch { get; private set; }
        public IReadOnlyList<string> LogKeys { get; private set; } = [];
        public object? Model { get; private set; }

        public override void OnTrainBegin(TrainingContext context)
        {
            (Epochs, BatchesPerEpoch, LogKeys, Model) = (context.Epochs, context.BatchesPerEpoch, context.LogKeys.ToList(), context.Model);
        }
    }
}
