using System.CommandLine;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;
using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Privacy.Audit;
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
        var dataArgument = new Argument<string?>("DATA") { Description = "fashion-mnist, a folder of Fashion-MNIST IDX files (the t10k test files are used), a folder from `data prepare`, or a .csv file (its test split, rebuilt from the split the model recorded). Defaults to the data the model was trained on.", Arity = ArgumentArity.ZeroOrOne };
        var labelOption = new Option<string?>("--label") { Description = "Label column of a CSV file. Defaults to the one the model was trained with, else 'target'." };
        var splitSeedOption = new Option<int?>("--split-seed") { Description = "Override the seed of a CSV file's train/test split. Defaults to the seed the model recorded (train's --split-seed), else 1." };
        var testOption = new Option<double?>("--test-fraction") { Description = $"Override the test fraction of a CSV file. Defaults to the one the model recorded." };
        var standardizeOption = new Option<bool>("--standardize") { Description = "For a model saved without preprocessing: normalize images with the training set's mean and std. Defaults to off (the model's own pipeline is always applied)." };
        var outOption = new Option<string?>("--out", "-o") { Description = "Folder for report.html and evaluation.json. Defaults to MODEL/eval (eval/NAME-vN for a registry model)." };
        var groupOption = new Option<string?>("--group") { Description = "A CSV column to slice metrics by (fairness: per-group accuracy and recall, demographic parity and equalized odds differences). Defaults to none." };
        var positiveOption = new Option<int>("--positive-class") { Description = "The favourable class the fairness gaps compare. Defaults to 1.", DefaultValueFactory = _ => 1 };
        var againstOption = new Option<string?>("--against") { Description = "A champion (run folder, artifact or registry NAME[:VERSION|ALIAS]): compare MODEL with it on the same test rows, each with its own preprocessing (McNemar / bootstrap verdict in the report and comparison.json). Defaults to none." };
        var foldsOption = new Option<int?>("--folds") { Description = "Also cross-validate the run's architecture: K folds (stratified for classes) of DATA's training part, each trained from scratch for the run's epochs; mean ± std per metric in cross-validation.json. Defaults to none." };
        var limitOption = new Option<int?>("--limit") { Description = "Cross-validate on the first N training samples only (quick runs)." };
        var wrongOption = new Option<int>("--wrong-examples") { Description = "How many of the most confidently wrong test images to show. Defaults to 16.", DefaultValueFactory = _ => 16 };
        var privacy = new PrivacyOptions();
        var homeOption = RunsTrackingOptions.HomeOption();
        var (requireSignature, requireEncryption) = KeysCommand.RequireOptions();
        var command = new Command("eval", "Evaluate a trained model: metrics, plots and an HTML report with a JSON summary.")
        {
            modelArgument, dataArgument, labelOption, splitSeedOption, testOption, standardizeOption, outOption, groupOption, positiveOption, againstOption, foldsOption, limitOption, wrongOption, homeOption, requireSignature, requireEncryption,
        };
        common.AddTo(command);
        privacy.AddTo(command);
        command.SetAction(result =>
        {
            var device = common.Apply(result);
            var addOns = privacy.AddOns(result);
            var data = result.GetValue(dataArgument);
            if (data is not null && DataSource.ResolveSource(data) == FashionMnist.DefaultDirectory)
                FashionMnistInstaller.Ensure(FashionMnist.DefaultDirectory);
            var outcome = EvaluationJob.Run(new EvaluationRequest
            {
                Model = result.GetValue(modelArgument)!,
                Data = data,
                Home = result.GetValue(homeOption),
                Label = result.GetValue(labelOption),
                SplitSeed = result.GetValue(splitSeedOption),
                TestFraction = result.GetValue(testOption),
                Standardize = result.GetValue(standardizeOption),
                Group = result.GetValue(groupOption),
                PositiveClass = result.GetValue(positiveOption),
                Against = result.GetValue(againstOption),
                Folds = result.GetValue(foldsOption),
                Limit = result.GetValue(limitOption),
                WrongExamples = result.GetValue(wrongOption),
                OutputDirectory = result.GetValue(outOption),
                Seed = result.GetValue(common.Seed) ?? 0,
                Device = device,
                AddOns = addOns,
                Verification = new ArtifactLoadOptions { RequireSignature = result.GetValue(requireSignature), RequireEncryption = result.GetValue(requireEncryption) },
            }, text => AnsiConsole.MarkupLine(Markup.Escape(text)));
            foreach (var note in outcome.Notes)
                AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            Print(outcome.Result, outcome.Report);
            foreach (var section in outcome.Sections)
                if (section.Data is MembershipAuditResult audit)
                    PrivacyOptions.Print(audit);
                else if (section.Data is ModelLoop.Privacy.Sgd.PrivacyGuarantee guarantee)
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"Differential privacy: (ε = {guarantee.Epsilon:G4}, δ = {guarantee.Delta:G3}) by DP-SGD, σ = {guarantee.NoiseMultiplier:G4}, C = {guarantee.MaxGradNorm:G4}, {guarantee.Steps?.ToString() ?? "?"} steps at q = {guarantee.SampleRate?.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) ?? "?"}.")));
            if (outcome.Comparison is { } comparison)
                AnsiConsole.MarkupLine($"Against {Markup.Escape(result.GetValue(againstOption)!)}: [bold]{comparison.Verdict}[/]. {Markup.Escape(comparison.Reason)}");
            if (outcome.CrossValidation is { } cv)
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumn("Metric").AddColumn(new TableColumn($"mean ± std over {cv.Folds.Count} folds").RightAligned());
                foreach (var (name, statistics) in cv.Summary)
                    table.AddRow(name, statistics.ToString());
                AnsiConsole.Write(table);
                foreach (var warning in cv.Warnings)
                    AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
                AnsiConsole.MarkupLine($"Cross-validation: {Markup.Escape(outcome.CrossValidationPath!)}");
            }
            return 0;
        });
        return command;
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
