using ModelLoop.Tests.Training;
using ModelLoop.Tracking;

namespace ModelLoop.Tests.Tracking;

public sealed class RunStoreSearchTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RunStore _store;

    public RunStoreSearchTests() => _store = new RunStore(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    // Six finished runs: lr 0.001…0.006, optimizer adam for even i, accuracy rising to 0.5 + i/10 at its last step.
    private List<string> SixRuns()
    {
        var ids = new List<string>();
        for (var i = 1; i <= 6; i++)
        {
            var id = _store.StartRun(i % 2 == 0 ? "even" : "odd", new Dictionary<string, string>
            {
                ["lr"] = (i / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture), ["optimizer"] = i % 2 == 0 ? "adam" : "sgd",
            });
            _store.LogMetrics(id, 1, new Dictionary<string, double> { ["accuracy"] = 0.1 });
            _store.LogMetrics(id, 2, new Dictionary<string, double> { ["accuracy"] = 0.5 + i / 10.0 });
            _store.EndRun(id, RunStatus.Finished);
            ids.Add(id);
        }
        return ids;
    }

    [Fact]
    public void A_parameter_and_a_last_metric_value_filter_the_runs_together()
    {
        var ids = SixRuns();

        var page = _store.Search(new RunQuery { Filter = "params.optimizer = adam and metrics.accuracy > 0.85" });

        Assert.Equal([ids[5], ids[3]], page.Runs.Select(r => r.Id));
        Assert.Equal(2, page.Total);
    }

    [Fact]
    public void A_numeric_parameter_compares_as_a_number()
    {
        var ids = SixRuns();

        var page = _store.Search(new RunQuery { Filter = "params.lr >= 0.005" });

        Assert.Equal([ids[5], ids[4]], page.Runs.Select(r => r.Id));
    }

    [Fact]
    public void Pages_hold_the_newest_first_and_the_total_counts_every_match()
    {
        var ids = SixRuns();

        var first = _store.Search(new RunQuery { Limit = 4 });
        var second = _store.Search(new RunQuery { Limit = 4, Offset = 4 });

        Assert.Equal(6, first.Total);
        Assert.True(first.HasNext);
        Assert.False(second.HasNext);
        Assert.Equal(Enumerable.Reverse(ids), first.Runs.Concat(second.Runs).Select(r => r.Id));
    }

    [Theory]
    [InlineData("accuracy > 0.5")]
    [InlineData("metrics.accuracy > high")]
    [InlineData("status = sleeping")]
    public void A_filter_that_is_not_understood_says_what_is_expected(string filter)
    {
        var error = Assert.Throws<ArgumentException>(() => _store.Search(new RunQuery { Filter = filter }));

        Assert.Contains(filter.Split(' ')[0], error.Message, StringComparison.Ordinal);
        Assert.Equal("Filter", error.ParamName);
    }

    [Fact]
    public void A_value_that_looks_like_sql_is_only_a_value()
    {
        SixRuns();

        var page = _store.Search(new RunQuery { Filter = "name = odd' OR '1'='1" });

        Assert.Equal(0, page.Total);
        Assert.Equal(6, _store.Search(new RunQuery()).Total);
    }
}
