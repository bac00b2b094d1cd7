using System.CommandLine;
using System.Globalization;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop feedback export</c>: a model's labelled feedback from the server's prediction log, written as a dataset
/// the data stage reads (CSV or an image folder per part) with a manifest whose hash names it in a retrained model's lineage.
/// </summary>
internal static class FeedbackCommand
{
    public static Command Create() => new("feedback", "Work with the feedback clients sent on logged predictions (modelloop serve --log-predictions).")
    {
        Export(),
    };

    private static Command Export()
    {
        var output = new Option<string>("--out", "-o") { Description = "The folder to create (must not exist or be empty): train.csv/holdout.csv (tables) or train/ and holdout/ image folders, and manifest.json.", Required = true };
        var log = new Option<string?>("--prediction-log") { Description = $"The server's prediction log. Defaults to {PredictionLog.DefaultFileName} next to --db." };
        var database = new Option<string>("--db") { Description = "The server's SQLite file (modelloop serve --db), to find the log next to it. Defaults to modelloop-serving.db.", DefaultValueFactory = _ => "modelloop-serving.db" };
        var model = new Option<string?>("--model") { Description = "The model whose feedback to export. Defaults to the log's only model." };
        var since = new Option<string?>("--since") { Description = "Only predictions logged at or after this UTC date/time (e.g. 2026-11-01). Defaults to the first." };
        var until = new Option<string?>("--until") { Description = "Only predictions logged before this UTC date/time. Defaults to now." };
        var holdout = new Option<double>("--holdout-newest") { Description = "The fraction (0 ≤ f < 1) of labelled items, the newest, written to the holdout part for the retraining gate. Defaults to 0." };
        var labelColumn = new Option<string?>("--label-column") { Description = "The label column of table exports. Defaults to the column the model was trained on (so `modelloop retrain` reads the export), else label." };
        var command = new Command("export", "Write a model's labelled feedback (logged inputs with their true labels) as a versioned dataset.")
        {
            output, log, database, model, since, until, holdout, labelColumn,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(log) ?? PredictionLog.PathNextTo(result.GetValue(database)!);
            var opened = PredictionLog.OpenExisting(path)
                ?? throw new FileNotFoundException($"No prediction log at '{path}'. Serve with `modelloop serve --log-predictions` (it writes {PredictionLog.DefaultFileName} next to --db), or pass --prediction-log PATH.", path);
            var exported = FeedbackExporter.Export(opened, new FeedbackExportOptions
            {
                Output = result.GetValue(output)!,
                Model = result.GetValue(model),
                Since = Time(result.GetValue(since), "--since"),
                Until = Time(result.GetValue(until), "--until"),
                HoldoutNewest = result.GetValue(holdout),
                LabelColumn = result.GetValue(labelColumn),
            });
            Console.WriteLine($"Exported {exported.TrainItems} labelled items to {exported.Train}" + (exported.Holdout is { } h ? $" and the newest {exported.HoldoutItems} to {h}" : "") + ".");
            if (exported.SkippedWithoutInput + exported.SkippedOtherFormat > 0)
                Console.WriteLine($"Left out: {exported.SkippedWithoutInput} labelled items whose input the log did not keep (--log-inputs hash/none), {exported.SkippedOtherFormat} sent in another input format.");
            Console.WriteLine($"Dataset version (manifest hash): {exported.Manifest.Hash} — {exported.ManifestPath}");
            return 0;
        });
        return command;
    }

    /// <summary>An ISO 8601 UTC date or time option (`--since`, `--until`), or null when not given.</summary>
    internal static DateTimeOffset? Time(string? text, string option) =>
        UsageCommand.Date(text, option) is { } date ? new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)) : null;
}
