using LiveAccuracy = ModelLoop.Monitoring.Drift.LiveAccuracy;
using ModelLoop.Monitoring.Retraining;

namespace ModelLoop.Monitoring.Tests.Retraining;

public sealed class RetrainingPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetrainingPolicy Policy = new() { CoolDownHours = 24, AccuracyMargin = 0.02, MinLiveLabels = 200, NewLabels = 1000 };

    private static RetrainingJobRecord Job(RetrainingJobState state, DateTimeOffset created) => new(
        7, "k", "m", RetrainTrigger.Manual, "test", RetrainMode.FineTune, state,
        new RetrainingRequest { Model = "m", Feedback = ["f.csv"] }, 1, null, null, null, created, created);

    [Fact]
    public void AnUnfinishedJobBlocksANewOneWhateverFires()
    {
        var decision = Policy.Decide(new RetrainSignals { Now = Now, DriftAlarmAt = Now, LabelsSinceLastJob = 5000 }, Job(RetrainingJobState.Training, Now.AddDays(-3)));

        Assert.False(decision.Retrain);
        Assert.Contains("still Training", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCoolDownHoldsBackEveryTriggerUntilItEnds()
    {
        var last = Job(RetrainingJobState.Rejected, Now.AddHours(-23));

        var during = Policy.Decide(new RetrainSignals { Now = Now, DriftAlarmAt = Now, LabelsSinceLastJob = 5000 }, last);
        var after = Policy.Decide(new RetrainSignals { Now = Now.AddHours(2), DriftAlarmAt = Now, LabelsSinceLastJob = 5000 }, last);

        Assert.False(during.Retrain);
        Assert.Contains("Cool-down", during.Reason, StringComparison.Ordinal);
        Assert.Contains("2026-03-01 13:00 UTC", during.Reason, StringComparison.Ordinal);
        Assert.True(after.Retrain);
        Assert.Equal(RetrainTrigger.DriftAlarm, after.Trigger);
    }

    [Fact]
    public void ADriftAlarmCountsOnlyWhenRaisedAfterTheLastJobStarted()
    {
        var last = Job(RetrainingJobState.Promoted, Now.AddDays(-2));

        var old = Policy.Decide(new RetrainSignals { Now = Now, DriftAlarmAt = Now.AddDays(-3) }, last);
        var fresh = Policy.Decide(new RetrainSignals { Now = Now, DriftAlarmAt = Now.AddDays(-1) }, last);
        var off = (Policy with { OnDriftAlarm = false }).Decide(new RetrainSignals { Now = Now, DriftAlarmAt = Now.AddDays(-1) }, last);

        Assert.False(old.Retrain);
        Assert.True(fresh.Retrain);
        Assert.Equal(RetrainTrigger.DriftAlarm, fresh.Trigger);
        Assert.False(off.Retrain);
    }

    [Fact]
    public void LiveAccuracyTriggersOnlyWhenItsUpperBoundIsBelowTheChampionMinusTheMarginWithEnoughLabels()
    {
        RetrainDecision Decide(LiveAccuracy live) => Policy.Decide(new RetrainSignals { Now = Now, LiveAccuracy = live, ChampionTestAccuracy = 0.90 }, null);

        var clearlyWorse = Decide(LiveAccuracy.From(320, 400));
        var withinNoise = Decide(LiveAccuracy.From(340, 400));
        var tooFewLabels = Decide(LiveAccuracy.From(25, 50));

        Assert.True(clearlyWorse.Retrain);
        Assert.Equal(RetrainTrigger.LiveAccuracy, clearlyWorse.Trigger);
        Assert.Contains("80%", clearlyWorse.Reason, StringComparison.Ordinal);
        Assert.Contains("90%", clearlyWorse.Reason, StringComparison.Ordinal);
        Assert.False(withinNoise.Retrain);
        Assert.Contains("upper bound 88.", withinNoise.Reason, StringComparison.Ordinal);
        Assert.Contains("not below 88%", withinNoise.Reason, StringComparison.Ordinal);
        Assert.False(tooFewLabels.Retrain);
        Assert.Contains("50 labels", tooFewLabels.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EnoughNewLabelsTriggerAndFewerSayHowManyAreMissing()
    {
        var enough = Policy.Decide(new RetrainSignals { Now = Now, LabelsSinceLastJob = 1000 }, Job(RetrainingJobState.Promoted, Now.AddDays(-5)));
        var fewer = Policy.Decide(new RetrainSignals { Now = Now, LabelsSinceLastJob = 999 }, null);
        var off = (Policy with { NewLabels = null }).Decide(new RetrainSignals { Now = Now, LabelsSinceLastJob = 10_000 }, null);

        Assert.True(enough.Retrain);
        Assert.Equal(RetrainTrigger.NewLabels, enough.Trigger);
        Assert.False(fewer.Retrain);
        Assert.Null(fewer.Trigger);
        Assert.Contains("999 of 1000", fewer.Reason, StringComparison.Ordinal);
        Assert.False(off.Retrain);
    }

    [Fact]
    public void APolicyRoundTripsThroughJsonAndYaml()
    {
        var policy = new RetrainingPolicy { Mode = RetrainMode.Retrain, NewLabels = null, Replay = 0.25, PromotionTolerance = 0.01 };

        Assert.Equal(policy, RetrainingPolicy.FromJson(policy.ToJson()));
        Assert.Equal(policy, RetrainingPolicy.FromYaml(policy.ToYaml()));
        Assert.Equal(new RetrainingPolicy(), RetrainingPolicy.FromYaml("{}"));
    }

    [Fact]
    public void AnUnknownFieldOrAnOutOfRangeValueIsRefusedByName()
    {
        var unknown = Assert.Throws<FormatException>(() => RetrainingPolicy.FromYaml("coolDown: 3"));
        var range = Assert.Throws<ArgumentException>(() => new RetrainingPolicy { PromotionTolerance = 5 }.Validate());
        var replay = Assert.Throws<ArgumentException>(() => new RetrainingPolicy { Replay = 2.5 }.Validate());

        Assert.Contains("coolDown", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("coolDownHours", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("promotionTolerance", range.Message, StringComparison.Ordinal);
        Assert.Contains("2.5", replay.Message, StringComparison.Ordinal);
    }
}
