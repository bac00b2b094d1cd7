using ModelLoop.Optimization.Reports;

namespace ModelLoop.Optimization.Tests.Reports;

public sealed class ParetoFrontTests
{
    private static VariantMeasurement V(string name, double accuracy, double ms, long? size) => new()
    {
        Name = name, Method = name, Runtime = "torchsharp", Accuracy = accuracy, Batch1LatencyMs = ms, SizeBytes = size,
    };

    [Fact]
    public void A_variant_that_is_slower_bigger_and_less_accurate_than_another_is_off_the_front()
    {
        var marked = ParetoFront.Mark([V("baseline", 0.90, 2.0, 1000), V("worse", 0.89, 3.0, 2000), V("int8", 0.895, 0.8, 250)]);
        Assert.Equal([true, false, true], marked.Select(v => v.OnParetoFront));
    }

    [Fact]
    public void Trading_accuracy_for_speed_keeps_both_variants_on_the_front()
    {
        var marked = ParetoFront.Mark([V("accurate", 0.92, 5.0, 1000), V("fast", 0.88, 1.0, 1000)]);
        Assert.All(marked, v => Assert.True(v.OnParetoFront));
    }

    [Fact]
    public void Identical_variants_do_not_dominate_each_other()
    {
        var marked = ParetoFront.Mark([V("a", 0.9, 1.0, 10), V("b", 0.9, 1.0, 10)]);
        Assert.All(marked, v => Assert.True(v.OnParetoFront));
    }

    [Fact]
    public void An_unknown_size_is_never_better_than_a_known_one()
    {
        Assert.True(ParetoFront.Dominates(V("known", 0.9, 1.0, 100), V("unknown", 0.9, 1.0, null)));
        Assert.False(ParetoFront.Dominates(V("unknown", 0.9, 1.0, null), V("known", 0.9, 1.0, 100)));
    }
}
