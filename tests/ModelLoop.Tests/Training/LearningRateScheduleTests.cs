using ModelLoop.Training;
using static ModelLoop.Tests.Training.TrainingFixtures;

namespace ModelLoop.Tests.Training;

public sealed class LearningRateScheduleTests
{
    private const double Base = 0.1;

    [Theory]
    // 10 steps per epoch, ×0.5 every 2 epochs: epochs 0–1 → 0.1, epochs 2–3 → 0.05, epochs 4–5 → 0.025.
    [InlineData(0, 0.1)]
    [InlineData(19, 0.1)]
    [InlineData(20, 0.05)]
    [InlineData(39, 0.05)]
    [InlineData(45, 0.025)]
    public void StepMultipliesTheRateByGammaEveryFewEpochs(long step, double expected)
    {
        var schedule = LearningRateSchedule.Step(everyEpochs: 2, gamma: 0.5);

        Assert.Equal(expected, schedule.Rate(Base, step, totalSteps: 60, stepsPerEpoch: 10), 12);
    }

    [Theory]
    // 110 steps, 10% warm-up = 11 steps: step s < 11 → 0.1·(s + 1)/11.
    [InlineData(0, 0.1 / 11)]
    [InlineData(5, 0.1 * 6 / 11)]
    [InlineData(10, 0.1)]
    // Then cosine from 0.1 (step 11) to 0.01 (step 109) over 98 steps: halfway (step 60) → (0.1 + 0.01)/2.
    [InlineData(11, 0.1)]
    [InlineData(60, 0.055)]
    [InlineData(109, 0.01)]
    public void CosineWarmsUpLinearlyThenDecaysToTheMinimum(long step, double expected)
    {
        var schedule = LearningRateSchedule.Cosine(minRate: 0.01, warmupFraction: 0.1);

        Assert.Equal(expected, schedule.Rate(Base, step, totalSteps: 110, stepsPerEpoch: 11), 12);
    }

    [Fact]
    public void CosineAQuarterOfTheWayDownIsOnTheCosineCurve()
    {
        // No warm-up, 101 steps: progress = step/100; at step 25 the rate is 0.01 + 0.09·(1 + cos(π/4))/2.
        var schedule = LearningRateSchedule.Cosine(minRate: 0.01);

        var rate = schedule.Rate(Base, 25, totalSteps: 101, stepsPerEpoch: 10);

        Assert.Equal(0.01 + 0.09 * (1 + Math.Sqrt(0.5)) / 2, rate, 12);
    }

    [Theory]
    // 100 steps, peak at 30% → step 29. Start 0.1/25 = 0.004, end 0.004/1e4 = 4e-7.
    [InlineData(0, 0.004)]
    [InlineData(29, 0.1)]
    [InlineData(99, 4e-7)]
    // Halfway down (step 29 + 35 = 64): (0.1 + 4e-7)/2.
    [InlineData(64, 0.0500002)]
    public void OneCycleRisesToTheBaseRateThenFallsFarBelowTheStart(long step, double expected)
    {
        var schedule = LearningRateSchedule.OneCycle(peakFraction: 0.3, divFactor: 25, finalDivFactor: 1e4);

        Assert.Equal(expected, schedule.Rate(Base, step, totalSteps: 100, stepsPerEpoch: 10), 12);
    }

    [Fact]
    public void OneCycleRisesAlongACosineHalfWave()
    {
        // Peak at step 29 of 100; on the way up the rate is start + (peak − start)·(1 − cos(π·s/29))/2.
        var schedule = LearningRateSchedule.OneCycle(peakFraction: 0.3, divFactor: 25, finalDivFactor: 1e4);
        const long s = 10;

        var rate = schedule.Rate(Base, s, totalSteps: 100, stepsPerEpoch: 10);

        Assert.Equal(0.004 + (0.1 - 0.004) * (1 - Math.Cos(Math.PI * s / 29)) / 2, rate, 12);
    }

    [Fact]
    public void AStepScheduleWithAZeroPeriodIsRejected()
    {
        var schedule = LearningRateSchedule.Step(everyEpochs: 0);

        var error = Assert.Throws<ArgumentException>(() => schedule.Rate(Base, 0, 10, 10));

        Assert.Contains("everyEpochs=0", error.Message);
    }

    [Fact]
    public void FitAppliesTheScheduledRateToTheOptimizerAtEveryBatch()
    {
        using var data = Classification(128);
        using var model = Classifier(optimizer: OptimizerOptions.Sgd(0.1));
        var recorder = new WeightRecorder();
        // From the second epoch on the rate is 0.1·1e−30: an SGD step that small cannot change a float32 weight.
        var options = Options(epochs: 3) with { Schedule = LearningRateSchedule.Step(everyEpochs: 1, gamma: 1e-30) };
        var initial = Snapshot(model);

        model.Fit(data, options, callbacks: [recorder]);

        Assert.False(SameWeights(initial, recorder.Epochs[0]), "the first epoch trains at the base rate");
        AssertSameWeights(recorder.Epochs[0], recorder.Epochs[1]);
        AssertSameWeights(recorder.Epochs[0], recorder.Epochs[2]);
    }
}
