using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class MultipleTestingTests
{
    public static TheoryData<string> Cases => SciPyFixtures.Names("multipleTesting");

    [Theory]
    [MemberData(nameof(Cases))]
    public void HolmMatchesStatsmodels(string name)
    {
        var c = SciPyFixtures.Case("multipleTesting", name);
        AssertAllClose(c.Doubles("holm"), MultipleTesting.Holm(c.Doubles("pValues")), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BenjaminiHochbergMatchesStatsmodels(string name)
    {
        var c = SciPyFixtures.Case("multipleTesting", name);
        AssertAllClose(c.Doubles("benjaminiHochberg"), MultipleTesting.BenjaminiHochberg(c.Doubles("pValues")), name);
    }

    [Fact]
    public void AnEmptyFamilyHasNoAdjustedPValues()
    {
        Assert.Empty(MultipleTesting.Holm([]));
        Assert.Empty(MultipleTesting.BenjaminiHochberg([]));
    }

    [Fact]
    public void APValueAboveOneIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => MultipleTesting.Holm([0.1, 1.5]));
        Assert.Contains("1.5 at index 1", error.Message);
    }

    private static void AssertAllClose(double[] expected, double[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) SciPyFixtures.AssertClose(expected[i], actual[i], $"{name}[{i}]");
    }
}
