using System.CommandLine;
using System.Globalization;
using ModelLoop.Data.Inspection;
using ModelLoop.Data.Readers;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop data inspect FILE</c>: the inferred schema and per-column statistics as a table, and a
/// class-balance and a feature-distribution PNG in --out.
/// </summary>
internal static class DataInspectCommand
{
    public static Command Create()
    {
        var fileArgument = new Argument<string>("file") { Description = "A CSV or TSV file with a header row (UTF-8)." };
        var labelOption = new Option<string?>("--label") { Description = "Label column: its class balance is printed and plotted. Defaults to none." };
        var outOption = new Option<string>("--out", "-o") { Description = "Folder for class_balance.png and feature_distributions.png. Defaults to the file's name + '.inspect'.", };
        var command = new Command("inspect", "Print a table's schema and statistics and plot its class balance and feature distributions.")
        {
            fileArgument, labelOption, outOption,
        };
        command.SetAction(result =>
        {
            var file = result.GetValue(fileArgument)!;
            var label = result.GetValue(labelOption);
            var outFolder = result.GetValue(outOption) ?? Path.ChangeExtension(file, null) + ".inspect";
            var table = TabularReader.Read(file);
            var summary = DatasetSummary.Of(table, label);
            Print(file, summary);
            var written = new List<string>();
            if (summary.ClassBalance.Count > 0)
            {
                var path = Path.Combine(outFolder, "class_balance.png");
                DatasetPlots.ClassBalance(summary, path);
                written.Add(path);
            }
            if (summary.Columns.Any(c => c.Mean is not null && c.Name != label))
            {
                var path = Path.Combine(outFolder, "feature_distributions.png");
                DatasetPlots.FeatureDistributions(summary, path);
                written.Add(path);
            }
            foreach (var path in written)
                AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(path)}[/]");
            return 0;
        });
        return command;
    }

    private static void Print(string file, DatasetSummary summary)
    {
        var table = new Table().Title($"{Markup.Escape(Path.GetFileName(file))}: {summary.Rows:N0} rows × {summary.Columns.Count} columns")
            .AddColumns("column", "kind", "missing", "distinct", "min", "median", "mean", "max", "most frequent");
        foreach (var c in summary.Columns)
            table.AddRow(Markup.Escape(c.Name), c.Kind.ToString(), c.Missing.ToString("N0", CultureInfo.InvariantCulture), c.Distinct.ToString("N0", CultureInfo.InvariantCulture),
                Number(c.Min), Number(c.Median), Number(c.Mean), Number(c.Max),
                c.Top is null ? "" : Markup.Escape($"{Shorten(c.Top)} ({c.TopCount:N0})"));
        AnsiConsole.Write(table);
        if (summary.ClassBalance.Count == 0)
            return;
        var balance = new Table().Title($"class balance of '{Markup.Escape(summary.LabelColumn!)}'").AddColumns("class", "rows", "share");
        foreach (var (name, count) in summary.ClassBalance)
            balance.AddRow(Markup.Escape(name), count.ToString("N0", CultureInfo.InvariantCulture), ((double)count / summary.Rows).ToString("P1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(balance);
    }

    private static string Number(double? value) => value?.ToString("G5", CultureInfo.InvariantCulture) ?? "";

    private static string Shorten(string text) => text.Length > 24 ? text[..23] + "…" : text;
}
