using System.CommandLine;
using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Demo;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Storage;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop demo</c>: installs Fashion-MNIST if missing, runs <see cref="DemoLoop"/> (the whole loop with embedded
/// defaults: data → champion → challenger → comparison → gated promotion) showing each stage, and prints the summary
/// with the commands to serve the production model.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var dataOption = new Option<string>("--data", "-d") { Description = $"Folder of Fashion-MNIST IDX files. Defaults to {FashionMnist.DefaultDirectory} (installed if missing).", DefaultValueFactory = _ => FashionMnist.DefaultDirectory };
        var epochsOption = new Option<int>("--epochs", "-e") { Description = "Epochs of the challenger (the fast recipe). Defaults to 4 (~93% test accuracy in about two minutes on 2 cores).", DefaultValueFactory = _ => 4 };
        var championEpochsOption = new Option<int>("--champion-epochs") { Description = "Epochs of the champion (the seed's keras-cnn). Defaults to 1.", DefaultValueFactory = _ => 1 };
        var limitOption = new Option<int?>("--limit") { Description = "Train on the first N images only (a quick look; tests use this)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Folder for the dataset manifest, both runs and their reports. Defaults to runs/demo.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var nameOption = new Option<string>("--name") { Description = "Registry name of the model. Defaults to fashion.", DefaultValueFactory = _ => "fashion" };
        var homeOption = RunsTrackingOptions.HomeOption();
        var defaults = new FeedbackDemoOptions();
        var cleanOption = new Option<int>("--clean-requests") { Description = $"Requests of clean test images before the shift. Defaults to {defaults.CleanRequests:N0}.", DefaultValueFactory = _ => defaults.CleanRequests };
        var shiftedOption = new Option<int>("--shifted-requests") { Description = $"Most shifted requests before retraining. Defaults to {defaults.MaxShiftedRequests:N0}.", DefaultValueFactory = _ => defaults.MaxShiftedRequests };
        var afterOption = new Option<int>("--after-requests") { Description = $"Shifted requests after the promotion. Defaults to {defaults.AfterRequests:N0}.", DefaultValueFactory = _ => defaults.AfterRequests };
        var labelsOption = new Option<int>("--training-labels") { Description = $"Once the drift alarm is up, retrain when this many shifted requests (from the onset) came back labelled. Defaults to {defaults.TrainingLabels:N0}.", DefaultValueFactory = _ => defaults.TrainingLabels };
        var shareOption = new Option<double>("--feedback-share") { Description = $"Share of requests whose users send the true label. Defaults to {defaults.FeedbackShare}.", DefaultValueFactory = _ => defaults.FeedbackShare };
        var noFeedbackOption = new Option<bool>("--no-feedback") { Description = "Stop after the gated promotion: no serving, shifted traffic, feedback or retraining. Defaults to off (the whole loop)." };
        var noOptimizeOption = new Option<bool>("--no-optimize") { Description = "Skip the optimization stage (int8 quantization of the production model through the not-worse gate). Defaults to off." };
        var command = new Command("demo", "Run the whole loop on Fashion-MNIST: data → champion → challenger → gated promotion → serve → shifted traffic → drift alarm → feedback → retraining → gated promotion.")
        {
            dataOption, epochsOption, championEpochsOption, limitOption, outOption, nameOption, homeOption, noFeedbackOption, noOptimizeOption,
            cleanOption, shiftedOption, afterOption, labelsOption, shareOption,
        };
        common.AddTo(command);
        command.SetAction(result =>
        {
            var options = new DemoOptions
            {
                Data = result.GetValue(dataOption)!,
                Epochs = result.GetValue(epochsOption),
                ChampionEpochs = result.GetValue(championEpochsOption),
                Limit = result.GetValue(limitOption),
                Out = result.GetValue(outOption)!,
                Name = result.GetValue(nameOption)!,
                Home = ModelLoopHome.Resolve(result.GetValue(homeOption)),
                Seed = result.GetValue(common.Seed),
                Precision = result.GetValue(common.Precision),
            }.Validate();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var withFeedback = !result.GetValue(noFeedbackOption);
            var feedbackOptions = (defaults with
            {
                CleanRequests = result.GetValue(cleanOption),
                MaxShiftedRequests = result.GetValue(shiftedOption),
                AfterRequests = result.GetValue(afterOption),
                TrainingLabels = result.GetValue(labelsOption),
                FeedbackShare = result.GetValue(shareOption),
            }).Validate(); // before any training, like DemoOptions
            var optimize = !result.GetValue(noOptimizeOption);
            // The first half's stages but its "summary", the optimization stage, then the feedback half's stages (or the summary).
            var stages = DemoLoop.Stages.Count - 1 + (optimize ? 1 : 0) + (withFeedback ? FeedbackLoopDemo.Stages.Count : 1);
            var stage = 0;
            void Stage(string name) => AnsiConsole.Write(new Rule(Invariant($"[bold]{++stage}/{stages}[/] {Markup.Escape(name)} [grey](at {clock.Elapsed.TotalSeconds:F0} s)[/]")).LeftJustified());
            AnsiConsole.Write(new Rule("[bold]ModelLoop demo[/]: the whole loop on Fashion-MNIST").LeftJustified());
            Stage(DemoLoop.Stages[0]);
            FashionMnistInstaller.Ensure(options.Data);
            if (!Directory.Exists(options.Data))
                throw new DirectoryNotFoundException($"--data '{options.Data}' is not a folder; the demo expects Fashion-MNIST's four IDX files in a folder (train with `modelloop train --data file.csv` for tables).");
            options = options with { Device = common.Apply(result) };
            void Log(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));
            var outcome = DemoLoop.Run(options,
                index =>
                {
                    if (index > 0 && index < DemoLoop.Stages.Count - 1)
                        Stage(DemoLoop.Stages[index]);
                },
                Log);
            OptimizationStageOutcome? optimized = null;
            if (optimize)
            {
                Stage(OptimizationStage.Name);
                optimized = OptimizationStage.Run(outcome, options, Log);
            }
            FeedbackDemoOutcome? feedback = null;
            if (withFeedback)
                feedback = FeedbackLoopDemo.RunAsync(outcome, options, feedbackOptions, onStage: index => Stage(FeedbackLoopDemo.Stages[index]), log: Log).GetAwaiter().GetResult();
            else
                Stage(DemoLoop.Stages[^1]);
            DemoSummary.Print(outcome, optimized, feedback, clock.Elapsed);
            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
