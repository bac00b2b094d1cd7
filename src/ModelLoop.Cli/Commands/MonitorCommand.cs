using System.CommandLine;
using System.Globalization;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Registry;
using ModelLoop.Storage;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop monitor NAME</c>: the model's traffic from a server's prediction log, judged window by window against each
/// version's reference profile (drift per feature, embeddings, predictions) with live accuracy on feedback; a table of the
/// windows and alarms, two PNG plots and an HTML report.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The registry name of the served model." };
        var logPath = new Option<string>("--prediction-log") { Description = $"The server's prediction log (modelloop serve --log-predictions). Defaults to {PredictionLog.DefaultFileName}.", DefaultValueFactory = _ => PredictionLog.DefaultFileName };
        var since = new Option<string?>("--since") { Description = "Only requests from this UTC date/time (e.g. 2026-12-01T08:00Z). Defaults to the first logged." };
        var until = new Option<string?>("--until") { Description = "Only requests before this UTC date/time. Defaults to now." };
        var window = new Option<int>("--window") { Description = "Items per window. Defaults to 200.", DefaultValueFactory = _ => 200 };
        var step = new Option<int?>("--step") { Description = "A window ends every this many items. Defaults to --window (no overlap)." };
        var alpha = new Option<double>("--alpha") { Description = "Family-wise false-alarm rate per window (Holm over its tests). Defaults to 0.001.", DefaultValueFactory = _ => 0.001 };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for monitoring.json, drift.png, features.png and report.html. Defaults to monitoring/NAME." };
        var home = RunsTrackingOptions.HomeOption();
        var command = new Command("monitor", "Drift and live accuracy of a served model from the prediction log: table, plots and an HTML report.")
        {
            name, logPath, since, until, window, step, alpha, output, home,
        };
        command.SetAction(result =>
        {
            var model = result.GetValue(name)!;
            var path = result.GetValue(logPath)!;
            var log = PredictionLog.OpenExisting(path)
                ?? throw new FileNotFoundException($"There is no prediction log at '{path}'. Start the server with `modelloop serve --log-predictions` (it writes {PredictionLog.DefaultFileName} next to its --db), or pass --prediction-log PATH.", path);
            var registry = ModelRegistry.OpenExisting(result.GetValue(home));
            var size = result.GetValue(window);
            var options = new MonitoringOptions
            {
                WindowSize = size,
                Step = result.GetValue(step) ?? size,
                Detector = new Monitoring.Drift.DriftDetectorOptions { Alpha = result.GetValue(alpha) },
            };
            var report = LiveMonitor.ForRegistry(registry, model, options)
                .Evaluate(log, model, FeedbackCommand.Time(result.GetValue(since), "--since"), FeedbackCommand.Time(result.GetValue(until), "--until"));
            Print(report);
            var files = MonitoringReportWriter.Write(report, result.GetValue(output) ?? Path.Combine("monitoring", model));
            Console.WriteLine($"Wrote {files.Html}, {files.DriftPlot}, {files.FeaturePlot} and {files.Json}.");
            return 0;
        });
        return command;
    }

    private static void Print(MonitoringReport report)
    {
        AnsiConsole.MarkupLine(Invariant($"[bold]{Markup.Escape(report.Model)}[/]: {report.Requests:N0} requests, {report.Items:N0} items, {report.Labelled:N0} with feedback, {report.Windows.Count} windows, {report.Alarms.Count()} alarms."));
        var versions = new Table().Border(TableBorder.Rounded).AddColumn("Version").AddColumn(new TableColumn("Items").RightAligned())
            .AddColumn(new TableColumn("Labelled").RightAligned()).AddColumn(new TableColumn("Live accuracy").RightAligned()).AddColumn(new TableColumn("Reference").RightAligned());
        foreach (var v in report.Versions)
            versions.AddRow(Markup.Escape(v.Version), v.Items.ToString("N0", CultureInfo.InvariantCulture), (v.Accuracy?.Total ?? 0).ToString("N0", CultureInfo.InvariantCulture),
                v.Accuracy is { } a ? Invariant($"{a.Interval.Estimate:P1} ({a.Interval.Lower:P1}–{a.Interval.Upper:P1})") : "", v.ReferenceAccuracy is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "");
        AnsiConsole.Write(versions);
        var windows = new Table().Border(TableBorder.Rounded).AddColumn("Version").AddColumn("Items").AddColumn(new TableColumn("Requests").RightAligned())
            .AddColumn(new TableColumn("Drift").RightAligned()).AddColumn(new TableColumn("Accuracy").RightAligned()).AddColumn("Alarm");
        foreach (var w in report.Windows)
        {
            var why = string.Join("; ", w.Drift.Reasons.Concat(w.AccuracyAlarm ? ["live accuracy below the reference"] : []));
            windows.AddRow(Markup.Escape(w.Version), Invariant($"{w.FirstItem}–{w.LastItem}"), w.Requests.ToString("N0", CultureInfo.InvariantCulture),
                w.Drift.Score.ToString("0.00", CultureInfo.InvariantCulture), w.Accuracy?.Interval.Estimate.ToString("P1", CultureInfo.InvariantCulture) ?? "",
                w.Alarm ? "[red]" + Markup.Escape(why.Length > 90 ? why[..90] + "…" : why) + "[/]" : "");
        }
        AnsiConsole.Write(windows);
        if (report.Unmonitored.Count > 0)
            Console.WriteLine($"Not checked for drift (no reference profile in their package): versions {string.Join(", ", report.Unmonitored)}.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
