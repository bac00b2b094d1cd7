using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class KolmogorovSmirnovTests
{
    public static TheoryData<string> Cases => SciPyFixtures.Names("kolmogorovSmirnov");

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwoSampleMatchesScipyKs2samp(string name)
    {
        var c = SciPyFixtures.Case("kolmogorovSmirnov", name);
        var result = KolmogorovSmirnov.TwoSample(c.Doubles("first"), c.Doubles("second"));
        SciPyFixtures.AssertClose(c.Number("statistic"), result.Statistic, $"{name}: statistic");
        SciPyFixtures.AssertClose(c.Number("pValue"), result.PValue, $"{name}: p-value");
        Assert.Equal(c.GetProperty("exact").GetBoolean(), result.Exact);
    }

    [Fact]
    public void TwoSampleDoesNotDependOnTheOrderOfValues()
    {
        double[] a = [3, 1, 2, 5, 4, 9], b = [2.5, 7, 1.5, 8];
        var sorted = KolmogorovSmirnov.TwoSample([.. a.Order()], [.. b.Order()]);
        var unsorted = KolmogorovSmirnov.TwoSample(a, b);
        Assert.Equal(sorted, unsorted);
    }

    [Fact]
    public void TwoSampleRejectsAnEmptySampleNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([1.0, 2.0], []));
        Assert.Equal("second", error.ParamName);
        Assert.Contains("received 0 values", error.Message);
    }

    [Fact]
    public void TwoSampleRejectsNaNNamingItsIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([1.0, double.NaN], [1.0]));
        Assert.Equal("first", error.ParamName);
        Assert.Contains("NaN at index 1", error.Message);
    }
}
