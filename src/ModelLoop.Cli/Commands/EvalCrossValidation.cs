using System.Globalization;
using System.Text.Json;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Training;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop eval … --folds K</c>: k-fold cross-validation of the run's architecture (its model.json) on the
/// training part of DATA — stratified for classifiers — each fold trained from scratch with Adam for as many
/// epochs as the run had; prints mean ± std per metric and writes cross-validation.json.
/// </summary>
internal static class EvalCrossValidation
{
    public static void Run(EvalModel run, TensorDataset train, int folds, long seed, string outDirectory)
    {
        var epochs = Math.Max(1, run.History.Count);
        AnsiConsole.MarkupLine(FormattableString.Invariant($"Cross-validating the run's architecture: {folds} folds of {train.Count:N0} training samples, {epochs} epoch(s) each."));
        var loss = run.Regression ? Loss.MeanSquaredError() : Loss.CrossEntropy();
        var result = CrossValidation.Run(run.Spec, model => model.Compile(OptimizerOptions.Adam(), loss), train, new CrossValidationOptions
        {
            Folds = folds,
            Seed = (int)seed,
            Fit = new FitOptions { Epochs = epochs, Seed = seed, Progress = ProgressMode.Silent },
        });
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Metric").AddColumn(new TableColumn($"mean ± std over {folds} folds").RightAligned());
        foreach (var (name, statistics) in result.Summary)
            table.AddRow(name, statistics.ToString());
        AnsiConsole.Write(table);
        foreach (var warning in result.Warnings)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        var path = Path.Combine(outDirectory, "cross-validation.json");
        ModelLoop.IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { foldCount = folds, epochs, summary = result.Summary, folds = result.Folds, warnings = result.Warnings },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        AnsiConsole.MarkupLine($"Cross-validation: {Markup.Escape(path)}");
    }
}
