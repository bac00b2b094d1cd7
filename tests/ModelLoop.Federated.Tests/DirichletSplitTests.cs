using ModelLoop.Federated.Data;

namespace ModelLoop.Federated.Tests;

public sealed class DirichletSplitTests
{
    private static readonly long[] Labels = Enumerable.Range(0, 5000).Select(i => (long)(i % 10)).ToArray();

    [Fact]
    public void Every_sample_goes_to_exactly_one_owner()
    {
        var owners = DirichletSplit.Split(Labels, clients: 10, alpha: 0.5, seed: 7);
        Assert.Equal(10, owners.Length);
        Assert.All(owners, o => Assert.NotEmpty(o));
        Assert.Equal(Enumerable.Range(0, Labels.Length), owners.SelectMany(o => o).Order());
    }

    /// <summary>Mean over owners of the share of the owner's largest class: 0.1 for a perfectly IID split of 10 classes.</summary>
    private static double Skew(double alpha) => DirichletSplit.Split(Labels, 10, alpha, seed: 3)
        .Average(o => o.GroupBy(i => Labels[i]).Max(g => g.Count()) / (double)o.Length);

    [Fact]
    public void A_smaller_alpha_gives_less_balanced_owners()
    {
        var (small, medium, large) = (Skew(0.1), Skew(1.0), Skew(100));
        Assert.True(small > medium && medium > large, $"skew α=0.1: {small:F3}, α=1: {medium:F3}, α=100: {large:F3}");
        Assert.InRange(large, 0.1, 0.2);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void A_non_positive_alpha_is_refused_with_the_flag_named(double alpha)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DirichletSplit.Split(Labels, 10, alpha, 1));
        Assert.Contains("--dirichlet", error.Message);
    }
}
