using Microsoft.Extensions.Hosting;
using Prometheus;

namespace ModelLoop.Dashboard.Serving;

/// <summary>
/// Reads the server's own Prometheus series every <see cref="Interval"/> and keeps the last <see cref="Kept"/> readings,
/// so the serving page shows requests/s, p50/p99 latency, batch sizes and errors per model over the last minutes
/// without a Prometheus server. In <c>modelloop ui</c> (no server in the process) the series stay empty.
/// </summary>
internal sealed class ServingSampler : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public const int Kept = 180;

    private readonly Lock _gate = new();
    private readonly Queue<MetricsSnapshot> _snapshots = new();

    public IReadOnlyList<MetricsSnapshot> Snapshots
    {
        get { lock (_gate) return _snapshots.ToList(); }
    }

    /// <summary>Figures per model between consecutive readings, oldest first.</summary>
    public IReadOnlyList<ServingFigures> History()
    {
        var snapshots = Snapshots;
        var figures = new List<ServingFigures>();
        for (var i = 1; i < snapshots.Count; i++)
            figures.AddRange(snapshots[i].Models.Select(model => ServingFigures.Between(snapshots[i - 1], snapshots[i], model)));
        return figures;
    }

    public async Task SampleAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(buffer, cancellationToken);
        var snapshot = MetricsSnapshot.Parse(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), DateTimeOffset.UtcNow, "modelloop_");
        lock (_gate)
        {
            _snapshots.Enqueue(snapshot);
            while (_snapshots.Count > Kept)
                _snapshots.Dequeue();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
            await SampleAsync(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
