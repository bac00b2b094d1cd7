using ModelLoop.Training;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training;

public sealed class GradientAccumulationTests
{
    [Fact]
    public void AccumulatingTwoBatchesOfSixteenEndsWithTheWeightsOfBatchesOfThirtyTwo()
    {
        double[] Train(int batchSize, int accumulate)
        {
            using var data = Classification(128);
            using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1, momentum: 0.9));
            // The same seed shuffles 128 samples the same way: batches 2k and 2k + 1 of 16 are batch k of 32.
            model.Fit(data, Options(epochs: 3, batchSize: batchSize) with { AccumulateGradientBatches = accumulate });
            return FlatParameters(model);
        }

        var large = Train(32, 1);
        var accumulated = Train(16, 2);
        var small = Train(16, 1);

        Assert.All(large.Zip(accumulated), p => Assert.Equal(p.First, p.Second, 1e-5));
        Assert.True(large.Zip(small).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "steps every 16 samples should end elsewhere");
    }

    [Fact]
    public void TheScheduleCountsOptimizerStepsAndTheLastPartialGroupSteps()
    {
        using var data = Classification(80); // 5 batches of 16 → steps of 2, 2 and 1 batches per epoch
        using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1));
        var schedule = new RecordingSchedule();
        var before = Snapshot(model);

        model.Fit(data, Options(epochs: 2, batchSize: 16) with { AccumulateGradientBatches = 2, Schedule = schedule });

        Assert.Equal([0L, 1, 2, 3, 4, 5], schedule.Steps);
        Assert.All(schedule.Totals, t => Assert.Equal((6L, 3L), t));
        Assert.False(SameWeights(before, Snapshot(model)));
    }

    [Fact]
    public void AccumulationBelowOneIsRefusedBeforeAnyStep()
    {
        using var data = Classification(64);
        using var model = Classifier();
        var before = Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, Options() with { AccumulateGradientBatches = 0 }));

        Assert.Contains("AccumulateGradientBatches", error.Message);
        Assert.Contains("received 0", error.Message);
        AssertSameWeights(before, Snapshot(model));
    }

    /// <summary>A constant rate that records the step numbers it was asked for.</summary>
    private sealed record RecordingSchedule : LearningRateSchedule
    {
        public List<long> Steps { get; } = new();
        public List<(long Total, long PerEpoch)> Totals { get; } = new();

        public override double Rate(double baseRate, long step, long totalSteps, long stepsPerEpoch)
        {
            Steps.Add(step);
            Totals.Add((totalSteps, stepsPerEpoch));
            return baseRate;
        }
    }
}
