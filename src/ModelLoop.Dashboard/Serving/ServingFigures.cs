namespace ModelLoop.Dashboard.Serving;

/// <summary>One model's traffic between two readings of the server's metrics.</summary>
/// <param name="P50Ms">Median predict latency in ms (interpolated within the histogram bucket, as Prometheus's histogram_quantile); null without requests.</param>
/// <param name="MeanBatch">Mean items per forward pass; null without forward passes.</param>
public sealed record ServingFigures(string Model, DateTimeOffset At, double RequestsPerSecond, double ErrorsPerSecond, double? P50Ms, double? P99Ms, double? MeanBatch, double Requests, double Errors)
{
    internal static ServingFigures Between(MetricsSnapshot before, MetricsSnapshot after, string model)
    {
        var seconds = Math.Max(1e-3, (after.At - before.At).TotalSeconds);
        double Delta(string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
            Math.Max(0, after.Sum(name, model, where) - before.Sum(name, model, where));
        var requests = Delta("modelloop_requests_total");
        var errors = Delta("modelloop_requests_total", l => l.GetValueOrDefault("outcome") != "ok");
        var batches = Delta("modelloop_batch_size_count");
        var latency = BucketDelta(before.Buckets("modelloop_predict_latency_seconds", model), after.Buckets("modelloop_predict_latency_seconds", model));
        return new ServingFigures(model, after.At, requests / seconds, errors / seconds,
            Quantile(latency, 0.5) * 1000, Quantile(latency, 0.99) * 1000, batches > 0 ? Delta("modelloop_batch_size_sum") / batches : null, requests, errors);
    }

    private static List<(double Le, double Count)> BucketDelta(IReadOnlyList<(double Le, double Count)> before, IReadOnlyList<(double Le, double Count)> after) =>
        after.Select(b => (b.Le, Math.Max(0, b.Count - before.FirstOrDefault(o => o.Le == b.Le).Count))).ToList();

    // histogram_quantile's rule: find the bucket holding the q-th observation and interpolate linearly inside it
    // (the +Inf bucket answers with the largest finite bound).
    private static double? Quantile(List<(double Le, double Count)> buckets, double q)
    {
        if (buckets.Count == 0 || buckets[^1].Count <= 0)
            return null;
        var rank = q * buckets[^1].Count;
        var lower = 0.0;
        var below = 0.0;
        foreach (var (le, count) in buckets)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(le))
                    return lower;
                return count == below ? le : lower + (le - lower) * (rank - below) / (count - below);
            }
            lower = le;
            below = count;
        }
        return lower;
    }
}
