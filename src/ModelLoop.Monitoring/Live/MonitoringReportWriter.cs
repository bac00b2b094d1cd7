using System.Globalization;
using System.Net;
using System.Text;
using ModelLoop.IO;

namespace ModelLoop.Monitoring.Live;

/// <summary>
/// Writes a <see cref="MonitoringReport"/> as monitoring.json, two PNG plots (drift and live accuracy against requests;
/// drift per check) and one self-contained report.html (plots embedded, windows and alarms in a table), each atomically.
/// </summary>
public static class MonitoringReportWriter
{
    public static MonitoringFiles Write(MonitoringReport report, string directory, IReadOnlyList<MonitoringEvent>? events = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        events ??= DefaultEvents(report);
        var files = new MonitoringFiles(
            Path.Combine(directory, "monitoring.json"), Path.Combine(directory, "drift.png"),
            Path.Combine(directory, "features.png"), Path.Combine(directory, "report.html"));
        var drift = MonitoringPlots.DriftAndAccuracy(report, events);
        var features = MonitoringPlots.FeatureDrift(report);
        AtomicFile.WriteAllText(files.Json, report.ToJson());
        AtomicFile.Write(files.DriftPlot, s => s.Write(drift));
        AtomicFile.Write(files.FeaturePlot, s => s.Write(features));
        AtomicFile.WriteAllText(files.Html, Html(report, events, drift, features));
        return files;
    }

    /// <summary>The events a report shows by itself: each version's first window, and each version's first alarm.</summary>
    public static IReadOnlyList<MonitoringEvent> DefaultEvents(MonitoringReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var events = new List<MonitoringEvent>();
        foreach (var version in report.Windows.GroupBy(w => w.Version))
        {
            if (events.Count > 0 || report.Windows[0].Version != version.Key)
                events.Add(new MonitoringEvent(version.First().Requests, $"v{version.Key} serving"));
            if (version.FirstOrDefault(w => w.Alarm) is { } alarm)
                events.Add(new MonitoringEvent(alarm.Requests, $"alarm (v{version.Key})"));
        }
        return events;
    }

    private static string Html(MonitoringReport report, IReadOnlyList<MonitoringEvent> events, byte[] drift, byte[] features)
    {
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Monitoring: {{E(report.Model)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}
            td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.text{text-align:left}
            tr.alarm td{background:#fde8e4}img{max-width:100%}</style></head><body>
            <h1>Monitoring: {{E(report.Model)}}</h1>
            <p>{{report.Requests:N0}} requests, {{report.Items:N0}} items, {{report.Labelled:N0}} with feedback; {{report.Windows.Count}} windows, {{report.Alarms.Count()}} with an alarm.</p>

            """);
        page.Append("<h2>Live accuracy per version</h2><table><tr><th>version</th><th>items</th><th>labelled</th><th>live accuracy</th><th>95% interval</th><th>reference</th></tr>\n");
        foreach (var v in report.Versions)
            page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(v.Version)}</td><td>{v.Items:N0}</td><td>{v.Accuracy?.Total ?? 0:N0}</td><td>{P(v.Accuracy?.Interval.Estimate)}</td><td>{(v.Accuracy is { } a ? $"{P(a.Interval.Lower)} – {P(a.Interval.Upper)}" : "")}</td><td>{P(v.ReferenceAccuracy)}</td></tr>\n");
        page.Append("</table>\n");
        if (report.Unmonitored.Count > 0)
            page.Append(CultureInfo.InvariantCulture, $"<p>Not checked for drift (no reference profile in the package): {E(string.Join(", ", report.Unmonitored))}.</p>\n");
        page.Append(CultureInfo.InvariantCulture, $"<figure><img data-plot=\"drift\" alt=\"Drift score and live accuracy against requests\" src=\"data:image/png;base64,{Convert.ToBase64String(drift)}\"><figcaption>Drift score (≥ 1: alarm) and live accuracy on feedback; events: {E(string.Join("; ", events.Select(e => $"{e.Label} at {e.Requests:N0}")))}</figcaption></figure>\n");
        page.Append(CultureInfo.InvariantCulture, $"<figure><img data-plot=\"features\" alt=\"Drift per check against requests\" src=\"data:image/png;base64,{Convert.ToBase64String(features)}\"><figcaption>Each check's severity (≥ 1: drifted after the Holm correction)</figcaption></figure>\n");
        page.Append("<h2>Windows</h2><table><tr><th>version</th><th>items</th><th>requests</th><th>end (UTC)</th><th>drift score</th><th>accuracy</th><th>alarm</th></tr>\n");
        foreach (var w in report.Windows)
        {
            var why = string.Join("; ", w.Drift.Reasons.Concat(w.AccuracyAlarm ? ["live accuracy below the reference"] : []));
            page.Append(CultureInfo.InvariantCulture, $"<tr{(w.Alarm ? " class=\"alarm\"" : "")}><td>{E(w.Version)}</td><td>{w.FirstItem:N0}–{w.LastItem:N0}</td><td>{w.Requests:N0}</td><td>{w.End:yyyy-MM-dd HH:mm:ss}</td><td>{w.Drift.Score:0.00}</td><td>{P(w.Accuracy?.Interval.Estimate)}</td><td class=\"text\">{E(why)}</td></tr>\n");
        }
        page.Append("</table></body></html>\n");
        return page.ToString();
    }

    private static string P(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
