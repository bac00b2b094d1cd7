using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class MaximumMeanDiscrepancyTests
{
    public static TheoryData<string> Cases => SciPyFixtures.Names("maximumMeanDiscrepancy");

    [Theory]
    [MemberData(nameof(Cases))]
    public void StatisticAndBandwidthMatchTheNumPyComputation(string name)
    {
        var c = SciPyFixtures.Case("maximumMeanDiscrepancy", name);
        var result = MaximumMeanDiscrepancy.Test(c.Rows("first"), c.Rows("second"), permutations: 0);
        SciPyFixtures.AssertClose(c.Number("bandwidth"), result.Bandwidth, $"{name}: bandwidth");
        SciPyFixtures.AssertClose(c.Number("statistic"), result.Statistic, $"{name}: MMD²", relative: 1e-6, absolute: 1e-9);
        Assert.Equal(1.0, result.PValue);
    }

    [Fact]
    public void PValueOfTwoSamplesOfOneDistributionIsNotSmall()
    {
        var random = new Random(7);
        var result = MaximumMeanDiscrepancy.Test(Gaussian(random, 120, 16, 0), Gaussian(random, 80, 16, 0), permutations: 500, seed: 1);
        Assert.True(result.PValue > 0.01, $"p-value {result.PValue} for two samples of one distribution");
    }

    [Fact]
    public void PValueOfShiftedSamplesIsTheSmallestPossible()
    {
        var random = new Random(8);
        var result = MaximumMeanDiscrepancy.Test(Gaussian(random, 120, 16, 0), Gaussian(random, 80, 16, 1.0), permutations: 200, seed: 1);
        Assert.Equal(1.0 / 201, result.PValue, 12);
        Assert.True(result.Statistic > 0);
    }

    [Fact]
    public void TheSameSeedGivesTheSamePValue()
    {
        var random = new Random(9);
        var first = Gaussian(random, 60, 8, 0);
        var second = Gaussian(random, 40, 8, 0.1);
        Assert.Equal(MaximumMeanDiscrepancy.Test(first, second, 300, seed: 5), MaximumMeanDiscrepancy.Test(first, second, 300, seed: 5));
    }

    [Fact]
    public void TestRejectsRowsOfDifferentWidths()
    {
        float[][] first = [[1, 2], [3, 4]];
        float[][] second = [[1, 2], [3, 4, 5]];
        var error = Assert.Throws<ArgumentException>(() => MaximumMeanDiscrepancy.Test(first, second));
        Assert.Equal("second", error.ParamName);
        Assert.Contains("received 3 at row 1", error.Message);
    }

    [Fact]
    public void TestRejectsASingleRow()
    {
        float[][] first = [[1, 2]];
        float[][] second = [[1, 2], [3, 4]];
        var error = Assert.Throws<ArgumentException>(() => MaximumMeanDiscrepancy.Test(first, second));
        Assert.Contains("at least 2 rows, received 1", error.Message);
    }

    internal static float[][] Gaussian(Random random, int rows, int dimensions, double mean) =>
        Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, dimensions)
            .Select(_ => (float)(mean + MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1))).ToArray()).ToArray();
}
