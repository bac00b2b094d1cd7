using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Statistics;

public sealed class PopulationStabilityTests
{
    public static TheoryData<string> NumericCases => SciPyFixtures.Names("psiNumeric");
    public static TheoryData<string> CategoricalCases => SciPyFixtures.Names("psiCategorical");

    [Theory]
    [MemberData(nameof(NumericCases))]
    public void NumericMatchesTheNumPyComputationOnQuantileBins(string name)
    {
        var c = SciPyFixtures.Case("psiNumeric", name);
        double psi = PopulationStability.Numeric(c.Doubles("reference"), c.Doubles("edges"), c.Doubles("window"));
        SciPyFixtures.AssertClose(c.Number("psi"), psi, name);
    }

    [Theory]
    [MemberData(nameof(CategoricalCases))]
    public void CategoricalMatchesTheNumPyComputation(string name)
    {
        var c = SciPyFixtures.Case("psiCategorical", name);
        double psi = PopulationStability.Categorical(
            c.Counts("expected").ToDictionary(p => p.Key, p => (double)p.Value),
            c.Counts("actual").ToDictionary(p => p.Key, p => (double)p.Value));
        SciPyFixtures.AssertClose(c.Number("psi"), psi, name);
    }

    [Fact]
    public void IndexOfIdenticalProportionsIsZero()
    {
        Assert.Equal(0.0, PopulationStability.Index([1, 2, 3], [2, 4, 6]));
    }

    [Fact]
    public void NumericRejectsDescendingEdges()
    {
        var error = Assert.Throws<ArgumentException>(() => PopulationStability.Numeric([1.0, 2.0], [0.0, 2.0, 1.0], [1.5]));
        Assert.Equal("quantileEdges", error.ParamName);
        Assert.Contains("ascending", error.Message);
    }
}
