using System.Globalization;
using ModelLoop.Privacy.Accounting;

namespace ModelLoop.Privacy.Tests.Accounting;

public class RdpAccountantTests
{
    private static IEnumerable<double[]> Rows(string file) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", file)).Skip(1)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());

    [Fact]
    public void Epsilon_matches_numerical_integration_of_the_renyi_divergence_over_a_grid()
    {
        var rows = Rows("subsampled_gaussian_epsilon.csv").ToList();
        Assert.True(rows.Count > 100);
        foreach (var r in rows)
        {
            var eps = RdpAccountant.Epsilon(noiseMultiplier: r[1], sampleRate: r[0], steps: (long)r[2], delta: r[3]);
            Assert.True(Math.Abs(eps - r[4]) <= 1e-3, $"q={r[0]} σ={r[1]} steps={r[2]} δ={r[3]}: accountant ε={eps}, SciPy ε={r[4]}");
        }
    }

    [Fact]
    public void One_step_rdp_matches_numerical_integration_at_integer_and_fractional_orders()
    {
        foreach (var r in Rows("subsampled_gaussian_rdp.csv"))
        {
            var rdp = RdpAccountant.ComputeRdp(r[0], r[1], 1, [r[2]])[0];
            Assert.True(Math.Abs(rdp - r[3]) <= 1e-6 * Math.Max(1, Math.Abs(r[3])), $"q={r[0]} σ={r[1]} α={r[2]}: accountant {rdp}, SciPy {r[3]}");
        }
    }

    [Fact]
    public void Steps_compose_by_adding_rdp_so_split_histories_give_the_same_epsilon()
    {
        var split = new RdpAccountant();
        split.Step(1.1, 0.01, 300);
        split.Step(1.1, 0.01, 700);
        var mixed = new RdpAccountant();
        mixed.Step(2.0, 0.02, 10);
        mixed.Step(1.1, 0.01, 1000);

        Assert.Single(split.History);
        Assert.Equal(1000, split.Steps);
        Assert.Equal(RdpAccountant.Epsilon(1.1, 0.01, 1000, 1e-5), split.GetEpsilon(1e-5), 12);
        Assert.True(mixed.GetEpsilon(1e-5) > split.GetEpsilon(1e-5));
    }

    [Fact]
    public void Epsilon_grows_with_steps_and_shrinks_with_noise()
    {
        Assert.True(RdpAccountant.Epsilon(1.0, 0.01, 2000, 1e-5) > RdpAccountant.Epsilon(1.0, 0.01, 1000, 1e-5));
        Assert.True(RdpAccountant.Epsilon(1.5, 0.01, 1000, 1e-5) < RdpAccountant.Epsilon(1.0, 0.01, 1000, 1e-5));
        Assert.Equal(0, new RdpAccountant().GetEpsilon(1e-5));
        Assert.True(double.IsPositiveInfinity(RdpAccountant.Epsilon(0, 0.01, 10, 1e-5)));
    }

    [Fact]
    public void The_default_orders_are_opacus_grid()
    {
        var orders = RdpAccountant.DefaultOrders;
        Assert.Equal(151, orders.Count);
        Assert.Equal(1.1, orders[0], 12);
        Assert.Equal(10.9, orders[98], 12);
        Assert.Equal(12, orders[99]);
        Assert.Equal(63, orders[^1]);
    }

    [Fact]
    public void A_delta_outside_zero_one_is_refused_naming_it()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.Epsilon(1, 0.01, 10, 1.5));
        Assert.Equal("delta", ex.ParamName);
        Assert.Contains("1.5", ex.Message);
    }
}
