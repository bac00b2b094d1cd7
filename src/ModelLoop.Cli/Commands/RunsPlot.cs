using ModelLoop.IO;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;

namespace ModelLoop.Cli.Commands;

/// <summary>Metric curves of one or several runs as a PNG (ScottPlot), one line per run and metric, written atomically.</summary>
internal static class RunsPlot
{
    public static void Write(string path, IReadOnlyList<(string RunId, IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> Metrics)> runs, IReadOnlyList<string> metrics)
    {
        var plot = new ScottPlot.Plot();
        var lines = 0;
        foreach (var (runId, runMetrics) in runs)
        {
            foreach (var metric in metrics)
            {
                if (!runMetrics.TryGetValue(metric, out var points))
                    continue;
                var curve = points.Where(p => p.Step > 0 && double.IsFinite(p.Value)).ToList();
                if (curve.Count == 0)
                    continue;
                var scatter = plot.Add.Scatter(curve.Select(p => (double)p.Step).ToArray(), curve.Select(p => p.Value).ToArray());
                scatter.LegendText = runs.Count == 1 ? metric : metrics.Count == 1 ? runId : $"{runId} {metric}";
                lines++;
            }
        }
        if (lines == 0)
            throw new ArgumentException($"None of the runs has values for {string.Join(", ", metrics)}. See the metric names with `modelloop runs show RUN`.");
        plot.Title(metrics.Count == 1 ? metrics[0] : string.Join(", ", metrics));
        plot.XLabel(metrics.All(m => m.StartsWith("batch/", StringComparison.Ordinal)) ? "step" : "epoch");
        plot.ShowLegend();
        var png = plot.GetImageBytes(900, 540, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
