using System.CommandLine;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
using ModelLoop.Training.Recipes;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop eval MODEL DATA</c>: evaluates a trained model on the test part of DATA and writes a
/// self-contained HTML report with plots (report.html) and a JSON summary (evaluation.json).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var modelArgument = new Argument<string>("MODEL") { Description = "Run folder written by `modelloop train --out DIR` (model.json, weights.bin, history.csv, summary.json)." };
        var dataArgument = new Argument<string>("DATA") { Description = "fashion-mnist, a folder of Fashion-MNIST IDX files (the t10k test files are used), or a numeric .csv file (its 20% test split)." };
        var labelOption = new Option<string>("--label") { Description = "Label column of a CSV file. Defaults to 'target'.", DefaultValueFactory = _ => "target" };
        var splitSeedOption = new Option<long>("--split-seed") { Description = "Seed of a CSV file's 80/20 split: the --seed the model was trained with. Defaults to 1 (train's default).", DefaultValueFactory = _ => 1 };
        var standardizeOption = new Option<bool>("--standardize") { Description = "Standardize images with the training set's mean and std, as `modelloop demo` trains. Defaults to off (as `modelloop train`)." };
        var outOption = new Option<string?>("--out", "-o") { Description = "Folder for report.html and evaluation.json. Defaults to MODEL/eval." };
        var groupOption = new Option<string?>("--group") { Description = "A CSV column to slice metrics by (fairness: per-group accuracy and recall, demographic parity and equalized odds differences). Defaults to none." };
        var positiveOption = new Option<int>("--positive-class") { Description = "The favourable class the fairness gaps compare. Defaults to 1.", DefaultValueFactory = _ => 1 };
        var againstOption = new Option<string?>("--against") { Description = "A champion run folder: compare MODEL with it on the same test set (McNemar / bootstrap verdict in the report and comparison.json). Defaults to none." };
        var foldsOption = new Option<int?>("--folds") { Description = "Also cross-validate the run's architecture: K folds (stratified for classes) of DATA's training part, each trained from scratch for the run's epochs; mean ± std per metric in cross-validation.json. Defaults to none." };
        var limitOption = new Option<int?>("--limit") { Description = "Cross-validate on the first N training samples only (quick runs)." };
        var wrongOption = new Option<int>("--wrong-examples") { Description = "How many of the most confidently wrong test images to show. Defaults to 16.", DefaultValueFactory = _ => 16 };
        var command = new Command("eval", "Evaluate a trained model: metrics, plots and an HTML report with a JSON summary.")
        {
            modelArgument, dataArgument, labelOption, splitSeedOption, standardizeOption, outOption, groupOption, positiveOption, againstOption, foldsOption, limitOption, wrongOption,
        };
        common.AddTo(command);
        command.SetAction(result =>
        {
            var device = common.Apply(result);
            var source = result.GetValue(modelArgument)!;
            var dataName = result.GetValue(dataArgument)!;
            var loaded = EvalModelSource.Load(source);
            using var model = loaded.Model;
            model.To(device);
            var (train, test) = DatasetSource.Load(dataName, result.GetValue(labelOption)!, loaded.Regression ? "mse" : "cross_entropy", result.GetValue(limitOption), result.GetValue(splitSeedOption));
            using (train)
            using (test)
            {
                if (result.GetValue(standardizeOption))
                    ImageClassifierRecipe.Standardize(train, test);
                var isFashion = !dataName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
                var group = result.GetValue(groupOption);
                if (group is not null && isFashion)
                    throw new ArgumentException($"--group '{group}' names a CSV column, but DATA '{dataName}' is not a CSV file. Drop --group or evaluate on a CSV.");
                var options = new EvaluationOptions
                {
                    Task = loaded.Regression ? EvaluationTask.Regression : EvaluationTask.Classification,
                    ClassNames = isFashion ? FashionMnist.ClassNames : null,
                    WrongExamples = result.GetValue(wrongOption),
                    Groups = group is null ? null : CsvGroups(dataName, result.GetValue(labelOption)!, group, loaded.Regression, result.GetValue(splitSeedOption)),
                    GroupName = group ?? "group",
                    FeatureNames = isFashion ? null : CsvFeatureNames(dataName, result.GetValue(labelOption)!),
                    PositiveClass = result.GetValue(positiveOption),
                };
                var evaluation = Evaluator.Evaluate(model, test, options);
                var outDirectory = result.GetValue(outOption) ?? Path.Combine(source, "eval");
                ComparisonResult? comparison = null;
                if (result.GetValue(againstOption) is { } championSource)
                {
                    var champion = EvalModelSource.Load(championSource);
                    using var championModel = champion.Model;
                    championModel.To(device);
                    comparison = ModelComparison.Compare(championModel, model, test);
                    ModelLoop.IO.AtomicFile.WriteAllText(Path.Combine(outDirectory, "comparison.json"), comparison.ToJson());
                }
                var files = ReportWriter.Write(evaluation, outDirectory, new ReportContext
                {
                    Title = $"Evaluation of {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(source)))}",
                    Model = loaded.Description,
                    Data = dataName,
                    History = loaded.History,
                    Comparison = comparison,
                });
                Print(evaluation, files);
                if (comparison is not null)
                    AnsiConsole.MarkupLine($"Against {Markup.Escape(result.GetValue(againstOption)!)}: [bold]{comparison.Verdict}[/]. {Markup.Escape(comparison.Reason)}");
                if (result.GetValue(foldsOption) is { } folds)
                    EvalCrossValidation.Run(loaded, train, folds, result.GetValue(common.Seed) ?? 0, outDirectory);
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The raw values of <paramref name="column"/> for the CSV's test rows: the file loaded and split exactly as
    /// DatasetSource does (same seed), before standardization, so the groups read as in the file.
    /// </summary>
    private static string[] CsvGroups(string path, string label, string column, bool regression, long seed)
    {
        var features = CsvFeatureNames(path, label).ToList();
        var index = features.IndexOf(column);
        if (index < 0)
            throw new ArgumentException($"--group '{column}' is not a feature column of '{path}'. Its feature columns are: {string.Join(", ", features)}.");
        using var all = CsvTable.Load(path, label, regression ? LabelKind.Value : LabelKind.ClassIndex);
        var (train, test) = all.Split(0.8, seed);
        using (train)
        using (test)
        using (var values = test.Features.select(1, index).to(TorchSharp.torch.ScalarType.Float64))
            return values.data<double>().ToArray().Select(v => v.ToString("G", CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The CSV's column names without the label, in file order (CsvTable's feature order).</summary>
    private static string[] CsvFeatureNames(string path, string label) =>
        File.ReadLines(path).First().Split(',').Select(c => c.Trim().Trim('"')).Where(c => c != label.Trim()).ToArray();

    private static void Print(EvaluationResult evaluation, ReportFiles files)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var (name, value) in evaluation.Summary.Metrics)
            table.AddRow(name, double.IsNaN(value) ? "—" : value.ToString("0.####", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        foreach (var warning in evaluation.Summary.Warnings)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        AnsiConsole.MarkupLine($"Report: {Markup.Escape(files.Html)} ({files.Plots.Count} plots)");
        AnsiConsole.MarkupLine($"Summary: {Markup.Escape(files.Json)}");
    }
}
