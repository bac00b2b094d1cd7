using ModelLoop.Monitoring.Drift;
using ScottPlot;

namespace ModelLoop.Monitoring.Live;

/// <summary>The monitoring plots as PNG bytes, drawn with ScottPlot.</summary>
public static class MonitoringPlots
{
    public const int Width = 900, Height = 480;

    /// <summary>
    /// Drift score per window (≥ 1 is an alarm; the dashed line) and live accuracy on labelled feedback with its interval
    /// (right axis), against requests; each event is a vertical line with its label.
    /// </summary>
    public static byte[] DriftAndAccuracy(MonitoringReport report, IReadOnlyList<MonitoringEvent>? events = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var windows = report.Windows;
        var x = windows.Select(w => (double)w.Requests).ToArray();
        var drift = plot.Add.Scatter(x, windows.Select(w => w.Drift.Score).ToArray());
        drift.LegendText = "drift score (≥ 1: alarm)";
        drift.LineWidth = 2;
        drift.Color = Colors.OrangeRed;
        var threshold = plot.Add.HorizontalLine(1);
        threshold.LinePattern = LinePattern.Dashed;
        threshold.Color = Colors.OrangeRed.WithAlpha(0.6);

        var labelled = windows.Where(w => w.Accuracy is not null).ToList();
        if (labelled.Count > 0)
        {
            var right = plot.Axes.Right;
            var xs = labelled.Select(w => (double)w.Requests).ToArray();
            var accuracy = plot.Add.Scatter(xs, labelled.Select(w => w.Accuracy!.Interval.Estimate).ToArray());
            accuracy.LegendText = "live accuracy (95% interval)";
            accuracy.LineWidth = 2;
            accuracy.Color = Colors.SteelBlue;
            accuracy.Axes.YAxis = right;
            foreach (var bound in new Func<MonitoringWindow, double>[] { w => w.Accuracy!.Interval.Lower, w => w.Accuracy!.Interval.Upper })
            {
                var line = plot.Add.Scatter(xs, labelled.Select(bound).ToArray());
                line.Color = Colors.SteelBlue.WithAlpha(0.5);
                line.LinePattern = LinePattern.Dashed;
                line.MarkerSize = 0;
                line.Axes.YAxis = right;
            }
            right.Label.Text = "live accuracy";
            plot.Axes.SetLimitsY(0, 1, right);
        }
        foreach (var e in events ?? [])
        {
            var line = plot.Add.VerticalLine(e.Requests);
            line.Text = e.Label;
            line.LabelOppositeAxis = true;
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dotted;
        }
        plot.Title($"{report.Model}: drift and live accuracy");
        plot.XLabel("requests");
        plot.YLabel("drift score");
        plot.ShowLegend(Alignment.MiddleLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Each check's severity per window (the score's parts): which features drifted, and when.</summary>
    public static byte[] FeatureDrift(MonitoringReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var windows = report.Windows.Where(w => w.Drift.Verdict == DriftVerdict.Checked).ToList();
        var names = windows.SelectMany(w => w.Drift.AllChecks().Select(c => c.Name)).Distinct().ToList();
        foreach (var name in names)
        {
            var points = windows.Select(w => (X: (double)w.Requests, Check: w.Drift.AllChecks().FirstOrDefault(c => c.Name == name)))
                .Where(p => p.Check is { Statistic: not null }).ToList();
            if (points.Count == 0)
                continue;
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Check!.Severity()).ToArray());
            line.LegendText = name;
        }
        var threshold = plot.Add.HorizontalLine(1);
        threshold.LinePattern = LinePattern.Dashed;
        plot.Title($"{report.Model}: drift per check (≥ 1: drifted)");
        plot.XLabel("requests");
        plot.YLabel("severity");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
