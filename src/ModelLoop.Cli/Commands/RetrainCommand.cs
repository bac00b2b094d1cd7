using System.CommandLine;
using System.Globalization;
using ModelLoop.Monitoring.Retraining;
using ModelLoop.Native;
using ModelLoop.Training;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop retrain NAME --feedback PATH</c>: runs a retraining job by hand (<see cref="RetrainingJob.Run"/>) —
/// challenger from the production config and the labelled feedback, compared on held-out feedback and the original
/// test set, promoted only through the gate — printing each step and the decision. Run again after a crash to resume.
/// </summary>
internal static class RetrainCommand
{
    public static Command Create()
    {
        var nameArgument = new Argument<string>("NAME") { Description = "The registered model to retrain; its production version (else its latest) is the champion." };
        var feedbackOption = new Option<string[]>("--feedback")
        {
            Description = "Labelled feedback to train on (`modelloop feedback export`): a .csv/.tsv with the model's input columns and label, or a folder with one sub-folder per class of images. Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var holdoutOption = new Option<string?>("--holdout") { Description = "Held-out recent labelled feedback to judge the challenger on, in the same forms. Defaults to the most recent share (policy holdoutFraction) of the one --feedback source." };
        var policyOption = new Option<string?>("--policy") { Description = "A retraining policy (.yaml/.json): mode, fine-tuning epochs, rate scale, replay, promotion tolerance, minimum holdout. Defaults to the default policy." };
        var modeOption = new Option<string?>("--mode") { Description = "retrain (the production config from scratch, with the feedback) or fine-tune (from the production weights, with a replay of the original data). Defaults to the policy's mode (fine-tune)." };
        var threadsOption = new Option<int?>("--threads") { Description = "CPU threads for libtorch. Defaults to the cores available." };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("retrain", "Retrain a registered model on labelled feedback and promote the challenger only if it passes the gate (resumes an unfinished job).")
        {
            nameArgument, feedbackOption, holdoutOption, policyOption, modeOption, threadsOption, homeOption,
        };
        command.SetAction(result =>
        {
            var policy = result.GetValue(policyOption) is { } path ? RetrainingPolicy.Load(path) : new RetrainingPolicy();
            if (result.GetValue(modeOption) is { } mode)
                policy = policy with { Mode = ParseMode(mode) };
            TorchRuntime.EnsureLoaded();
            TorchRuntime.Threads = result.GetValue(threadsOption) ?? Environment.ProcessorCount;
            var outcome = RetrainingJob.Run(new RetrainingRequest
            {
                Model = result.GetValue(nameArgument)!,
                Feedback = result.GetValue(feedbackOption) ?? [],
                Holdout = result.GetValue(holdoutOption),
                Policy = policy,
                Home = result.GetValue(homeOption),
                Progress = ProgressMode.Auto,
            }, step => AnsiConsole.MarkupLine($"[grey]•[/] {Markup.Escape(step)}"));
            Print(outcome);
            return 0;
        });
        return command;
    }

    /// <exception cref="ArgumentException">Not a mode; the message lists them.</exception>
    internal static RetrainMode ParseMode(string text) => text.Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal) switch
    {
        "retrain" => RetrainMode.Retrain,
        "fine-tune" or "finetune" => RetrainMode.FineTune,
        _ => throw new ArgumentException($"--mode '{text}' is not a retraining mode; use retrain or fine-tune."),
    };

    private static void Print(RetrainingOutcome outcome)
    {
        var job = outcome.Job;
        if (outcome.Comparison is { } comparison)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("Test set").AddColumn(new TableColumn("Items").RightAligned()).AddColumn("Metric")
                .AddColumn(new TableColumn($"v{job.ChampionVersion} (champion)").RightAligned()).AddColumn(new TableColumn($"v{job.ChallengerVersion} (challenger)").RightAligned())
                .AddColumn("Verdict");
            foreach (var (name, result) in new[] { ("held-out feedback", comparison.Holdout), ("original test set", comparison.Original) })
            {
                var metric = result.Metrics.FirstOrDefault(m => m.Metric == "accuracy") ?? result.Metrics[0];
                table.AddRow(name, result.Samples.ToString("N0", CultureInfo.InvariantCulture), metric.Metric,
                    metric.Champion.ToString("0.####", CultureInfo.InvariantCulture), metric.Challenger.ToString("0.####", CultureInfo.InvariantCulture),
                    result.McNemar is { } m ? $"{result.Verdict} ({m.PValueText})" : result.Verdict.ToString());
            }
            AnsiConsole.Write(table);
        }
        var resumed = outcome.Resumed ? " (resumed)" : "";
        var summary = job.State switch
        {
            RetrainingJobState.Promoted => $"[green]Promoted[/]: production and champion now point at v{job.ChallengerVersion}.",
            RetrainingJobState.Rejected => $"[yellow]Rejected[/]: production stays v{job.ChampionVersion}; v{job.ChallengerVersion} keeps the challenger alias.",
            _ => $"{job.State}.",
        };
        AnsiConsole.MarkupLine($"Job {job.Id}{resumed}: {summary} The reason is in the alias history (`modelloop models show {Markup.Escape(job.Model)}`).");
    }
}
