using System.Globalization;
using System.Net;
using System.Text;
using ModelLoop.IO;
using ScottPlot;

namespace ModelLoop.Optimization.Reports;

/// <summary>Writes an <see cref="OptimizationReport"/>: report.json, report.md (the table), pareto.png and report.html (both).</summary>
public static class OptimizationReportWriter
{
    /// <summary>The files written, by kind.</summary>
    public sealed record Files(string Json, string Markdown, string Html, string ParetoPlot);

    public static Files Write(OptimizationReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var files = new Files(Path.Combine(folder, "report.json"), Path.Combine(folder, "report.md"), Path.Combine(folder, "report.html"), Path.Combine(folder, "pareto.png"));
        AtomicFile.WriteAllText(files.Json, report.ToJson());
        AtomicFile.WriteAllText(files.Markdown, Markdown(report));
        var png = ParetoPlot(report);
        AtomicFile.Write(files.ParetoPlot, stream => stream.Write(png));
        AtomicFile.WriteAllText(files.Html, Html(report, Path.GetFileName(files.ParetoPlot)));
        return files;
    }

    /// <summary>The comparison table in Markdown (also what the CLI prints).</summary>
    public static string Markdown(OptimizationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(Invariant($"# Optimization report: {report.Model}"));
        text.AppendLine();
        text.AppendLine(Invariant($"CPU: {report.Cpu}, {report.Threads} thread(s); timings interleaved in one run, so they compare with each other. ★ = on the Pareto front (accuracy, batch-1 latency, size)."));
        text.AppendLine();
        text.AppendLine("| variant | method | runtime | params (non-zero) | size | deflated | batch-1 ms (p90) | items/s | quality | vs baseline |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        var baseline = report.Variants[0];
        foreach (var v in report.Variants)
            text.AppendLine(string.Join(" | ", Row(v, baseline)).Insert(0, "| ") + " |");
        return text.ToString();
    }

    private static IEnumerable<string> Row(VariantMeasurement v, VariantMeasurement baseline)
    {
        yield return (v.OnParetoFront ? "★ " : "") + v.Name;
        yield return v.Method;
        yield return v.Runtime;
        yield return v.Parameters is { } p ? Invariant($"{p:N0}") + (v.NonZeroParameters is { } nz && nz != p ? Invariant($" ({nz:N0})") : "") : "–";
        yield return Bytes(v.SizeBytes) + Ratio(baseline.SizeBytes, v.SizeBytes, "smaller");
        yield return Bytes(v.CompressedBytes);
        yield return Invariant($"{v.Batch1LatencyMs:0.###} ({v.Batch1LatencyP90Ms:0.###})") + Ratio(baseline.Batch1LatencyMs, v.Batch1LatencyMs, "faster");
        yield return Invariant($"{v.ThroughputPerSecond:N0}") + Ratio(v.ThroughputPerSecond, baseline.ThroughputPerSecond, "");
        yield return v.Accuracy is { } a ? Invariant($"acc {a:P2}") + (ReferenceEquals(v, baseline) || baseline.Accuracy is null ? "" : Invariant($" ({(a - baseline.Accuracy.Value) * 100:+0.00;−0.00} pt)"))
            : v.MeanSquaredError is { } m ? Invariant($"mse {m:G4}") : "–";
        yield return v.VerdictVersusBaseline is { } verdict ? Invariant($"{verdict} (McNemar p={v.PValueVersusBaseline:G3})") : "baseline";
    }

    private static string Ratio(double? numerator, double? denominator, string word) =>
        numerator is > 0 && denominator is > 0 && Math.Abs(numerator.Value / denominator.Value - 1) > 1e-9
            ? Invariant($" ×{numerator.Value / denominator.Value:0.00}{(word.Length > 0 ? " " + word : "")}")
            : "";

    private static string Ratio(long? numerator, long? denominator, string word) => Ratio((double?)numerator, (double?)denominator, word);

    private static string Bytes(long? bytes) => bytes switch
    {
        null => "–",
        < 1024 => Invariant($"{bytes} B"),
        < 1024 * 1024 => Invariant($"{bytes / 1024.0:0.0} KiB"),
        _ => Invariant($"{bytes / 1048576.0:0.00} MiB"),
    };

    /// <summary>Accuracy (or −MSE) against batch-1 latency, each variant a labelled point, the Pareto front joined by a line.</summary>
    public static byte[] ParetoPlot(OptimizationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var classification = report.Variants.All(v => v.Accuracy is not null);
        double Quality(VariantMeasurement v) => classification ? v.Accuracy!.Value * 100 : -(v.MeanSquaredError ?? 0);
        foreach (var v in report.Variants)
        {
            var point = plot.Add.Marker(v.Batch1LatencyMs, Quality(v));
            point.Size = v.OnParetoFront ? 12 : 8;
            point.Color = v.OnParetoFront ? Colors.OrangeRed : Colors.SteelBlue;
            var label = plot.Add.Text(v.Name, v.Batch1LatencyMs, Quality(v));
            label.LabelFontSize = 12;
            label.OffsetY = -8;
        }
        var front = report.Variants.Where(v => v.OnParetoFront).OrderBy(v => v.Batch1LatencyMs).ToArray();
        if (front.Length > 1)
        {
            var line = plot.Add.Scatter(front.Select(v => v.Batch1LatencyMs).ToArray(), front.Select(Quality).ToArray());
            line.Color = Colors.OrangeRed.WithAlpha(0.5);
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 0;
            line.LegendText = "Pareto front";
        }
        plot.Title($"{report.Model}: accuracy against latency");
        plot.XLabel("batch-1 latency (ms), lower is better");
        plot.YLabel(classification ? "test accuracy (%)" : "−MSE");
        var xs = report.Variants.Select(v => v.Batch1LatencyMs).ToArray();
        var ys = report.Variants.Select(Quality).ToArray();
        var (xPad, yPad) = (Math.Max(0.05, (xs.Max() - xs.Min()) * 0.15), Math.Max(0.2, (ys.Max() - ys.Min()) * 0.2));
        plot.Axes.SetLimits(Math.Max(0, xs.Min() - xPad), xs.Max() + xPad, ys.Min() - yPad, ys.Max() + yPad);
        return plot.GetImageBytes(900, 540, ImageFormat.Png);
    }

    private static string Html(OptimizationReport report, string plotFile)
    {
        string E(string s) => WebUtility.HtmlEncode(s);
        var baseline = report.Variants[0];
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + E("Optimization report: " + report.Model) + "</title>");
        html.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th:nth-child(-n+3),td:nth-child(-n+3){text-align:left}tr.front{background:#fff4ee}</style></head><body>");
        html.AppendLine("<h1>" + E("Optimization report: " + report.Model) + "</h1>");
        html.AppendLine("<p>" + E(Invariant($"CPU: {report.Cpu}, {report.Threads} thread(s), {report.CreatedUtc:u}. Timings were taken in interleaved rounds in one run, so they compare with each other, not with other machines. Highlighted rows are on the Pareto front (accuracy, batch-1 latency, size).")) + "</p>");
        html.AppendLine("<table><thead><tr><th scope=\"col\">variant</th><th scope=\"col\">method</th><th scope=\"col\">runtime</th><th scope=\"col\">params (non-zero)</th><th scope=\"col\">size</th><th scope=\"col\">deflated</th><th scope=\"col\">batch-1 ms (p90)</th><th scope=\"col\">items/s</th><th scope=\"col\">quality</th><th scope=\"col\">vs baseline</th></tr></thead><tbody>");
        foreach (var v in report.Variants)
            html.AppendLine((v.OnParetoFront ? "<tr class=\"front\">" : "<tr>") + string.Concat(Row(v, baseline).Select(c => "<td>" + E(c) + "</td>")) + "</tr>");
        html.AppendLine("</tbody></table>");
        html.AppendLine("<h2>Accuracy against latency</h2><img src=\"" + E(plotFile) + "\" alt=\"Test accuracy against batch-1 latency for every variant; the Pareto front is marked\" width=\"900\">");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
