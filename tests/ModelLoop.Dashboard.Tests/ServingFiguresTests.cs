using ModelLoop.Dashboard.Serving;

namespace ModelLoop.Dashboard.Tests;

public sealed class ServingFiguresTests
{
    // Two readings 2 s apart of one model's series, in Prometheus's text format; buckets are cumulative.
    private static MetricsSnapshot Reading(double seconds, double ok, double failed, double[] buckets, double batches, double batchItems) =>
        MetricsSnapshot.Parse(string.Join('\n',
            "# HELP modelloop_requests_total Predict requests.",
            $"modelloop_requests_total{{model=\"m\",outcome=\"ok\"}} {ok}",
            $"modelloop_requests_total{{model=\"m\",outcome=\"failed\"}} {failed}",
            $"modelloop_predict_latency_seconds_bucket{{model=\"m\",le=\"0.001\"}} {buckets[0]}",
            $"modelloop_predict_latency_seconds_bucket{{model=\"m\",le=\"0.01\"}} {buckets[1]}",
            $"modelloop_predict_latency_seconds_bucket{{model=\"m\",le=\"+Inf\"}} {buckets[2]}",
            $"modelloop_batch_size_sum{{model=\"m\"}} {batchItems}",
            $"modelloop_batch_size_count{{model=\"m\"}} {batches}",
            "process_cpu_seconds_total 3"), DateTimeOffset.UnixEpoch.AddSeconds(seconds), "modelloop_");

    [Fact]
    public void Rates_and_latency_quantiles_come_from_the_difference_between_two_readings()
    {
        var before = Reading(0, ok: 10, failed: 0, [10, 10, 10], batches: 5, batchItems: 10);
        var after = Reading(2, ok: 110, failed: 20, [60, 110, 120], batches: 25, batchItems: 130);

        var figures = ServingFigures.Between(before, after, "m");

        Assert.Equal(60, figures.RequestsPerSecond, 6); // 120 requests in 2 s
        Assert.Equal(10, figures.ErrorsPerSecond, 6);
        Assert.Equal(6, figures.MeanBatch!.Value, 6); // 120 items in 20 passes
        // 110 observations: 50 below 1 ms, 50 in (1, 10] ms, 10 above. The median (rank 55) is 10% into the second bucket.
        Assert.Equal(1.9, figures.P50Ms!.Value, 6);
        Assert.Equal(10, figures.P99Ms!.Value, 6); // rank 108.9 is in +Inf: the largest finite bound
    }

    [Fact]
    public void A_model_without_requests_in_the_interval_has_no_latency()
    {
        var reading = Reading(0, ok: 10, failed: 0, [10, 10, 10], batches: 5, batchItems: 10);

        var figures = ServingFigures.Between(reading, reading with { At = reading.At.AddSeconds(2) }, "m");

        Assert.Equal(0, figures.RequestsPerSecond);
        Assert.Null(figures.P50Ms);
        Assert.Null(figures.MeanBatch);
    }
}
