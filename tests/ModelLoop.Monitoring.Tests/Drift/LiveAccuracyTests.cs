using ModelLoop.Monitoring.Drift;

namespace ModelLoop.Monitoring.Tests.Drift;

public sealed class LiveAccuracyTests
{
    [Fact]
    public void AccuracyWhoseWholeIntervalLiesBelowTheReferenceIsFlagged()
    {
        var live = LiveAccuracy.From(correct: 150, total: 200, referenceAccuracy: 0.9);
        Assert.Equal(0.75, live.Interval.Estimate);
        Assert.True(live.Interval.Lower < 0.75 && 0.75 < live.Interval.Upper);
        Assert.True(live.BelowReference);
    }

    [Fact]
    public void AccuracyWhoseIntervalReachesTheReferenceIsNotFlagged()
    {
        var live = LiveAccuracy.From(correct: 17, total: 20, referenceAccuracy: 0.9);
        Assert.True(live.Interval.Upper >= 0.9);
        Assert.False(live.BelowReference);
    }

    [Fact]
    public void WithoutAReferenceNothingIsFlagged()
    {
        Assert.False(LiveAccuracy.From(0, 50).BelowReference);
    }

    [Fact]
    public void AReferenceAccuracyOutsideZeroToOneIsRefused()
    {
        Assert.Equal("referenceAccuracy", Assert.Throws<ArgumentOutOfRangeException>(() => LiveAccuracy.From(1, 2, 90)).ParamName);
    }
}
