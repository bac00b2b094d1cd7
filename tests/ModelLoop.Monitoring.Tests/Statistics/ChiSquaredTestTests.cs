using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class ChiSquaredTestTests
{
    public static TheoryData<string> Cases => SciPyFixtures.Names("chiSquared");

    [Theory]
    [MemberData(nameof(Cases))]
    public void HomogeneityMatchesScipyChi2Contingency(string name)
    {
        var c = SciPyFixtures.Case("chiSquared", name);
        var result = ChiSquaredTest.Homogeneity(c.Counts("first"), c.Counts("second"));
        SciPyFixtures.AssertClose(c.Number("statistic"), result.Statistic, $"{name}: statistic");
        SciPyFixtures.AssertClose(c.Number("pValue"), result.PValue, $"{name}: p-value");
        Assert.Equal(c.GetProperty("degreesOfFreedom").GetInt32(), result.DegreesOfFreedom);
    }

    [Fact]
    public void HomogeneityListsTheUnionOfCategoriesWithoutAllZeroColumns()
    {
        var result = ChiSquaredTest.Homogeneity(
            new Dictionary<string, long> { ["b"] = 3, ["a"] = 4, ["z"] = 0 },
            new Dictionary<string, long> { ["a"] = 1, ["new"] = 6 });
        Assert.Equal(["a", "b", "new"], result.Categories);
    }

    [Fact]
    public void HomogeneityWithASingleCategoryHasNothingToCompare()
    {
        var result = ChiSquaredTest.Homogeneity(
            new Dictionary<string, long> { ["a"] = 10 }, new Dictionary<string, long> { ["a"] = 3 });
        Assert.Equal((0.0, 1.0, 0), (result.Statistic, result.PValue, result.DegreesOfFreedom));
    }

    [Fact]
    public void HomogeneityRejectsASideWithoutCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => ChiSquaredTest.Homogeneity(
            new Dictionary<string, long> { ["a"] = 10 }, new Dictionary<string, long>()));
        Assert.Contains("both sides", error.Message);
    }

    [Fact]
    public void HomogeneityRejectsANegativeCount()
    {
        var error = Assert.Throws<ArgumentException>(() => ChiSquaredTest.Homogeneity(
            new Dictionary<string, long> { ["a"] = 10, ["b"] = -1 }, new Dictionary<string, long> { ["a"] = 1 }));
        Assert.Contains("-1", error.Message);
    }
}
