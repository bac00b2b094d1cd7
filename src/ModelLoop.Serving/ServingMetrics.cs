using Prometheus;

namespace ModelLoop.Serving;

/// <summary>
/// The server's Prometheus series (exposed at /metrics next to prometheus-net's HTTP metrics). /metrics needs no key, so
/// no series is labelled by tenant: tenant ids are not shown to anyone who can reach the port, and per-tenant traffic is
/// read from /v1/usage (a tenant its own, the admin key everyone's).
/// </summary>
internal static class ServingMetrics
{
    public static readonly Histogram PredictLatency = Metrics.CreateHistogram(
        "modelloop_predict_latency_seconds", "Time from a predict request entering the model's queue to its outputs, by model.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });

    public static readonly Histogram BatchSize = Metrics.CreateHistogram(
        "modelloop_batch_size", "Items per forward pass, by model.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(1, 2, 10) });

    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "modelloop_queue_depth", "Requests waiting for a forward pass, by model and version.",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    public static readonly Counter Requests = Metrics.CreateCounter(
        "modelloop_requests_total", "Predict requests by model and outcome (ok, rejected, invalid, unavailable, failed).",
        new CounterConfiguration { LabelNames = ["model", "outcome"] });

    public static readonly Counter Items = Metrics.CreateCounter(
        "modelloop_items_predicted_total", "Items predicted, by model.",
        new CounterConfiguration { LabelNames = ["model"] });
}
