using System.CommandLine;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
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
        var modelArgument = new Argument<string>("MODEL") { Description = "A run folder written by `modelloop train --out DIR`, an artifact folder or .zip, or a registry model NAME[:VERSION|ALIAS] (with --home; no version: production, else latest)." };
        var dataArgument = new Argument<string>("DATA") { Description = "fashion-mnist, a folder of Fashion-MNIST IDX files (the t10k test files are used), or a .csv file (its test split, rebuilt from the split the model recorded)." };
        var labelOption = new Option<string?>("--label") { Description = "Label column of a CSV file. Defaults to the one the model was trained with, else 'target'." };
        var splitSeedOption = new Option<int?>("--split-seed") { Description = "Override the seed of a CSV file's train/test split. Defaults to the seed the model recorded (train's --split-seed), else 1." };
        var testOption = new Option<double?>("--test-fraction") { Description = $"Override the test fraction of a CSV file. Defaults to the one the model recorded, else {TabularData.DefaultTestFraction}." };
        var standardizeOption = new Option<bool>("--standardize") { Description = "For a model saved without preprocessing: normalize images with the training set's mean and std. Defaults to off (the model's own pipeline is always applied)." };
        var outOption = new Option<string?>("--out", "-o") { Description = "Folder for report.html and evaluation.json. Defaults to MODEL/eval (eval/NAME-vN for a registry model)." };
        var groupOption = new Option<string?>("--group") { Description = "A CSV column to slice metrics by (fairness: per-group accuracy and recall, demographic parity and equalized odds differences). Defaults to none." };
        var positiveOption = new Option<int>("--positive-class") { Description = "The favourable class the fairness gaps compare. Defaults to 1.", DefaultValueFactory = _ => 1 };
        var againstOption = new Option<string?>("--against") { Description = "A champion (run folder, artifact or registry NAME[:VERSION|ALIAS]): compare MODEL with it on the same test rows, each with its own preprocessing (McNemar / bootstrap verdict in the report and comparison.json). Defaults to none." };
        var foldsOption = new Option<int?>("--folds") { Description = "Also cross-validate the run's architecture: K folds (stratified for classes) of DATA's training part, each trained from scratch for the run's epochs; mean ± std per metric in cross-validation.json. Defaults to none." };
        var limitOption = new Option<int?>("--limit") { Description = "Cross-validate on the first N training samples only (quick runs)." };
        var wrongOption = new Option<int>("--wrong-examples") { Description = "How many of the most confidently wrong test images to show. Defaults to 16.", DefaultValueFactory = _ => 16 };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("eval", "Evaluate a trained model: metrics, plots and an HTML report with a JSON summary.")
        {
            modelArgument, dataArgument, labelOption, splitSeedOption, testOption, standardizeOption, outOption, groupOption, positiveOption, againstOption, foldsOption, limitOption, wrongOption, homeOption,
        };
        common.AddTo(command);
        command.SetAction(result =>
        {
            var device = common.Apply(result);
            var source = result.GetValue(modelArgument)!;
            var dataName = result.GetValue(dataArgument)!;
            var home = result.GetValue(homeOption);
            var loaded = EvalModelSource.Load(source, home);
            using var model = loaded.Model;
            model.To(device);
            var split = loaded.Split;
            var label = result.GetValue(labelOption) ?? split?.LabelColumn ?? "target";
            var seed = result.GetValue(splitSeedOption) ?? split?.Seed ?? 1;
            var testFraction = result.GetValue(testOption) ?? split?.Test ?? TabularData.DefaultTestFraction;
            LoadedData Data(EvalModel m) => DatasetSource.Load(dataName, label, m.Regression, result.GetValue(limitOption), testFraction, seed,
                m.Pipeline, normalizeImages: m.Pipeline is null && result.GetValue(standardizeOption));
            using var data = Data(loaded);
            var (train, test) = (data.Train, data.Test);
            if (data.Tabular is { } tabular && split is not null && split.SourceSha256 != tabular.Split.SourceSha256)
                AnsiConsole.MarkupLine($"[yellow]note:[/] DATA '{Markup.Escape(dataName)}' is not the file the model was trained on ({Markup.Escape(split.Source)}); its test split is cut the same way but is other data.");
            var group = result.GetValue(groupOption);
            if (group is not null && data.IsImages)
                throw new ArgumentException($"--group '{group}' names a CSV column, but DATA '{dataName}' is not a CSV file. Drop --group or evaluate on a CSV.");
            var options = new EvaluationOptions
            {
                Task = loaded.Regression ? EvaluationTask.Regression : EvaluationTask.Classification,
                ClassNames = data.IsImages ? FashionMnist.ClassNames : null,
                WrongExamples = result.GetValue(wrongOption),
                Groups = group is null ? null : GroupValues(data.Tabular!, group, label),
                GroupName = group ?? "group",
                FeatureNames = data.Tabular?.Pipeline.FeatureNames,
                PositiveClass = result.GetValue(positiveOption),
            };
            var evaluation = Evaluator.Evaluate(model, test, options);
            var outDirectory = result.GetValue(outOption) ?? loaded.DefaultReportFolder;
            ComparisonResult? comparison = null;
            if (result.GetValue(againstOption) is { } championSource)
            {
                var champion = EvalModelSource.Load(championSource, home);
                using var championModel = champion.Model;
                championModel.To(device);
                // Each model gets the test rows through its own pipeline; the rows are the same (same split).
                if (champion.Pipeline?.ToJson() == loaded.Pipeline?.ToJson())
                    comparison = ModelComparison.Compare(championModel, model, test);
                else
                {
                    using var championData = Data(champion);
                    comparison = Comparisons.OnOwnInputs(championModel, championData.Test, model, test);
                }
                Directory.CreateDirectory(outDirectory);
                ModelLoop.IO.AtomicFile.WriteAllText(Path.Combine(outDirectory, "comparison.json"), comparison.ToJson());
            }
            var files = ReportWriter.Write(evaluation, outDirectory, new ReportContext
            {
                Title = $"Evaluation of {(Path.Exists(source) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(source))) : source)}",
                Model = loaded.Description,
                Data = dataName + (loaded.DatasetHash is { } hash ? $" (trained on dataset version {hash[..Math.Min(12, hash.Length)]})" : ""),
                History = loaded.History,
                Comparison = comparison,
            });
            Print(evaluation, files);
            if (comparison is not null)
                AnsiConsole.MarkupLine($"Against {Markup.Escape(result.GetValue(againstOption)!)}: [bold]{comparison.Verdict}[/]. {Markup.Escape(comparison.Reason)}");
            if (result.GetValue(foldsOption) is { } folds)
                EvalCrossValidation.Run(loaded, train, folds, result.GetValue(common.Seed) ?? 0, outDirectory);
            return 0;
        });
        return command;
    }

    /// <summary>The raw values of <paramref name="column"/> in the CSV's test rows, as read from the file (before preprocessing).</summary>
    private static string[] GroupValues(TabularData data, string column, string label)
    {
        if (column == label || !data.Test.Columns.Contains(column))
            throw new ArgumentException($"--group '{column}' is not a feature column of the data. Its feature columns are: {string.Join(", ", data.Test.Columns.Where(c => c != label))}.");
        return data.Test.Column(column).Select(v => v?.Trim() ?? "(missing)").ToArray();
    }

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
