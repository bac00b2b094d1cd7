using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class ProportionIntervalTests
{
    [Fact]
    public void WilsonMatchesScipyBinomtestProportionCi()
    {
        foreach (var c in SciPyFixtures.Cases("wilson"))
        {
            long k = c.GetProperty("successes").GetInt64(), n = c.GetProperty("trials").GetInt64();
            double level = c.Number("confidenceLevel");
            var interval = ProportionInterval.Wilson(k, n, level);
            SciPyFixtures.AssertClose(c.Number("lower"), interval.Lower, $"{k}/{n} at {level}: lower");
            SciPyFixtures.AssertClose(c.Number("upper"), interval.Upper, $"{k}/{n} at {level}: upper");
            Assert.Equal((double)k / n, interval.Estimate);
        }
    }

    [Fact]
    public void WilsonRejectsMoreSuccessesThanTrials()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ProportionInterval.Wilson(11, 10));
        Assert.Equal("successes", error.ParamName);
        Assert.Contains("[0, 10]", error.Message);
    }

    [Fact]
    public void WilsonRejectsZeroTrials()
    {
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => ProportionInterval.Wilson(0, 0)).ParamName);
    }
}
