using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ModelLoop.Tracking;
using ModelLoop.Storage;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop runs list|show|compare</c>: tracked training runs from the run store, as tables, and metric
/// curves of one or several runs as a PNG. Every subcommand takes <c>--home</c>.
/// </summary>
internal static class RunsCommand
{
    public static Command Create() => new("runs", "Tracked training runs: parameters, metrics per epoch, status; compare them with plots.")
    {
        List(), Show(), Compare(),
    };

    private static Command List()
    {
        var home = RunsTrackingOptions.HomeOption();
        var limit = new Option<int>("--limit", "-n") { Description = "Newest runs to show. Defaults to 20.", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "List runs, newest first, with status and final metrics.") { limit, home };
        command.SetAction(result =>
        {
            // A read creates nothing: no store yet means no runs.
            var folder = ModelLoopHome.Resolve(result.GetValue(home));
            var runs = File.Exists(Path.Combine(folder, "runs.db")) ? new RunStore(folder).ListRuns(result.GetValue(limit)) : [];
            if (runs.Count == 0)
            {
                AnsiConsole.MarkupLine($"No runs recorded in {Markup.Escape(folder)} yet. [bold]modelloop train[/] and [bold]modelloop demo[/] record theirs.");
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Run", "Name", "Status", "Started (UTC)", "Duration", "Metrics");
            foreach (var run in runs)
                table.AddRow(Markup.Escape(run.Id), Markup.Escape(run.Name), StatusMarkup(run.Status), run.StartedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    FormattableString.Invariant($"{run.Duration.TotalSeconds:F1} s"), Markup.Escape(KeyMetrics(run.LastMetrics)));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var home = RunsTrackingOptions.HomeOption();
        var id = new Argument<string>("run") { Description = "Run id or a unique prefix of it." };
        var command = new Command("show", "Show one run: parameters, system, dataset, artifacts and metrics per epoch.") { id, home };
        command.SetAction(result =>
        {
            var store = RunStore.OpenExisting(result.GetValue(home));
            var run = store.GetRun(result.GetValue(id)!);
            var info = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"run {run.Id}")).AddColumn("Field").AddColumn("Value");
            info.AddRow("name", Markup.Escape(run.Name));
            info.AddRow("status", StatusMarkup(run.Status));
            info.AddRow("started", FormattableString.Invariant($"{run.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC ({run.Duration.TotalSeconds:F1} s)"));
            if (run.Error is { } error)
                info.AddRow("error", Markup.Escape(error));
            info.AddRow("dataset", Markup.Escape(run.DatasetManifestHash ?? "(none)"));
            foreach (var (key, value) in run.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
                info.AddRow(Markup.Escape($"param {key}"), Markup.Escape(value));
            foreach (var (key, value) in run.SystemInfo.OrderBy(p => p.Key, StringComparer.Ordinal))
                info.AddRow(Markup.Escape($"system {key}"), Markup.Escape(value));
            foreach (var artifact in run.Artifacts)
                info.AddRow(Markup.Escape($"artifact {artifact.Name}"), Markup.Escape(artifact.Path));
            AnsiConsole.Write(info);
            var metrics = store.GetMetrics(run.Id).Where(m => !m.Key.Contains('/', StringComparison.Ordinal)).ToDictionary();
            var steps = metrics.Values.SelectMany(p => p.Select(x => x.Step)).Distinct().Order().ToList();
            if (steps.Count == 0)
                return 0;
            var table = new Table().Border(TableBorder.Rounded).Title("Metrics (step 0: final results)").AddColumn("Epoch");
            foreach (var key in metrics.Keys.Order(StringComparer.Ordinal))
                table.AddColumn(new TableColumn(Markup.Escape(key)).RightAligned());
            foreach (var step in steps)
                table.AddRow([step.ToString(CultureInfo.InvariantCulture), .. metrics.Keys.Order(StringComparer.Ordinal)
                    .Select(k => metrics[k].FirstOrDefault(p => p.Step == step) is { } p ? p.Value.ToString("G5", CultureInfo.InvariantCulture) : "")]);
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Compare()
    {
        var home = RunsTrackingOptions.HomeOption();
        var ids = new Argument<string[]>("runs") { Description = "Run ids (or unique prefixes): one or more.", Arity = ArgumentArity.OneOrMore };
        var metric = new Option<string[]>("--metric", "-m") { Description = "Metrics to plot per epoch (repeatable). Defaults to loss and, where recorded, val_loss." };
        var output = new Option<string?>("--out", "-o") { Description = "PNG to write. Defaults to plots/compare-<time>.png in the home folder." };
        var command = new Command("compare", "Compare runs: final metrics side by side, and their curves as a PNG.") { ids, metric, output, home };
        command.SetAction(result =>
        {
            var store = RunStore.OpenExisting(result.GetValue(home));
            var runs = result.GetValue(ids)!.Select(store.GetRun).ToList();
            var curves = runs.Select(r => (r.Id, store.GetMetrics(r.Id))).ToList();
            var keys = runs.SelectMany(r => r.LastMetrics.Keys).Where(k => !k.Contains('/', StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList();
            var table = new Table().Border(TableBorder.Rounded).AddColumn("Metric");
            foreach (var run in runs)
                table.AddColumn(new TableColumn(Markup.Escape($"{run.Id}\n{run.Name}")).RightAligned());
            foreach (var key in keys)
                table.AddRow([Markup.Escape(key), .. runs.Select(r => r.LastMetrics.TryGetValue(key, out var v) ? v.ToString("G5", CultureInfo.InvariantCulture) : "")]);
            foreach (var param in runs.SelectMany(r => r.Parameters.Keys).Distinct().Order(StringComparer.Ordinal)
                         .Where(p => runs.Select(r => r.Parameters.GetValueOrDefault(p)).Distinct().Count() > 1))
                table.AddRow([Markup.Escape($"param {param}"), .. runs.Select(r => Markup.Escape(r.Parameters.GetValueOrDefault(param) ?? ""))]);
            AnsiConsole.Write(table);

            var chosen = result.GetValue(metric) is { Length: > 0 } named ? named
                : curves.Any(c => c.Item2.ContainsKey("val_loss")) ? ["loss", "val_loss"] : new[] { "loss" };
            var path = result.GetValue(output) ?? Path.Combine(store.Home, "plots", FormattableString.Invariant($"compare-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png"));
            RunsPlot.Write(path, curves.Select(c => (c.Id, (IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>>)c.Item2)).ToList(), chosen);
            AnsiConsole.MarkupLine($"Curves of {Markup.Escape(string.Join(", ", chosen))} written to [bold]{Markup.Escape(Path.GetFullPath(path))}[/].");
            return 0;
        });
        return command;
    }

    private static string StatusMarkup(RunStatus status) => status switch
    {
        RunStatus.Finished => "[green]finished[/]",
        RunStatus.Running => "[blue]running[/]",
        RunStatus.Failed => "[red]failed[/]",
        _ => "[yellow]killed[/]",
    };

    // The final test results when the run has them, else the last training loss: one short cell per run.
    private static string KeyMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        var shown = metrics.Where(m => m.Key.StartsWith("test_", StringComparison.Ordinal)).ToList();
        if (shown.Count == 0)
            shown = metrics.Where(m => m.Key is "loss" or "val_loss").ToList();
        return string.Join(", ", shown.Select(m => $"{m.Key}={m.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
    }
}
