using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class DistributionDistanceTests
{
    public static TheoryData<string> WassersteinCases => SciPyFixtures.Names("wasserstein");
    public static TheoryData<string> JensenShannonCases => SciPyFixtures.Names("jensenShannon");

    [Theory]
    [MemberData(nameof(WassersteinCases))]
    public void WassersteinMatchesScipyWassersteinDistance(string name)
    {
        var c = SciPyFixtures.Case("wasserstein", name);
        SciPyFixtures.AssertClose(c.Number("distance"), DistributionDistance.Wasserstein(c.Doubles("first"), c.Doubles("second")), name);
    }

    [Theory]
    [MemberData(nameof(JensenShannonCases))]
    public void JensenShannonMatchesScipyJensenshannon(string name)
    {
        var c = SciPyFixtures.Case("jensenShannon", name);
        double logBase = c.TryGetProperty("logBase", out var b) ? b.GetDouble() : Math.E;
        SciPyFixtures.AssertClose(c.Number("distance"), DistributionDistance.JensenShannon(c.Doubles("first"), c.Doubles("second"), logBase), name);
    }

    [Fact]
    public void JensenShannonRejectsWeightsOfDifferentLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => DistributionDistance.JensenShannon([0.5, 0.5], [1.0]));
        Assert.Contains("received 2 and 1", error.Message);
    }

    [Fact]
    public void WassersteinRejectsAnInfinity()
    {
        var error = Assert.Throws<ArgumentException>(() => DistributionDistance.Wasserstein([1.0], [double.PositiveInfinity]));
        Assert.Equal("second", error.ParamName);
    }
}
