using System.Globalization;
using ModelLoop.Evaluation;
using Spectre.Console;
using ModelLoop.Demo;
using ModelLoop.Loop;

namespace ModelLoop.Cli.Commands;

/// <summary>The demo loop's outcome as the loop summary table and the next commands.</summary>
internal static class DemoSummary
{
    public static void Print(DemoOutcome outcome, OptimizationStageOutcome? optimized = null, FeedbackDemoOutcome? feedback = null, TimeSpan? total = null)
    {
        var (Name, Home, DatasetHash, ChampionVersion, ChallengerVersion) = (outcome.Name, outcome.Home, outcome.DatasetHash, outcome.ChampionVersion, outcome.ChallengerVersion);
        var (ChampionAccuracy, ChallengerAccuracy, Comparison, Decision, ProductionVersion) = (outcome.ChampionAccuracy, outcome.ChallengerAccuracy, outcome.Comparison, outcome.Decision, outcome.ProductionVersion);
        var (ChampionReport, ChallengerReport, ComparisonJson, Elapsed) = (outcome.ChampionReport, outcome.ChallengerReport, outcome.ComparisonPath, outcome.Elapsed);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]the loop[/]").AddColumn("").AddColumn("").HideHeaders();
        void Row(string key, string value) => table.AddRow(Markup.Escape(key), Markup.Escape(value));
        Row("dataset version", DatasetHash[..12]);
        Row($"champion    {Name} v{ChampionVersion}", Invariant($"keras-cnn, test accuracy {ChampionAccuracy:P2}"));
        Row($"challenger  {Name} v{ChallengerVersion}", Invariant($"fast recipe, test accuracy {ChallengerAccuracy:P2}"));
        Row("p-value (McNemar)", Comparison.McNemar is { } test ? test.PValueText : "—");
        Row("verdict", Comparison.Verdict.ToString());
        Row("decision", Decision.Promoted ? $"promoted v{ChallengerVersion} to champion, production" : $"rejected v{ChallengerVersion} (alias challenger); v{ChampionVersion} stays");
        if (optimized is { Measurements: [var fp32, var int8] })
            Row($"int8        {Name} v{optimized.Int8Version}", Invariant($"test accuracy {int8.Accuracy:P2} (fp32 {fp32.Accuracy:P2}), batch-1 ×{fp32.Batch1LatencyMs / int8.Batch1LatencyMs:0.0} faster, ×{(double)fp32.SizeBytes!.Value / int8.SizeBytes!.Value:0.0} smaller; ")
                + (optimized.Decision.Promoted ? "not worse: promoted to production" : "rejected: production stays fp32") + $"; report {optimized.Report}");
        Row("production", feedback?.Retraining is { Promoted: true } retrained ? $"{Name} v{retrained.Job.ChallengerVersion} (retrained on feedback)" : optimized is { Decision.Promoted: true } ? $"{Name} v{optimized.Int8Version} (int8, ONNX Runtime)" : $"{Name} v{ProductionVersion}");
        Row("champion report", ChampionReport);
        Row("challenger report", ChallengerReport);
        Row("comparison", ComparisonJson);
        if (feedback is not null)
        {
            Row("drift alarm", feedback.DetectionDelay is { } delay ? Invariant($"{delay} requests after the shift began ({feedback.FalseAlarms} false alarms on {feedback.CleanWindows} clean windows)") : "none raised");
            Row("feedback", Invariant($"{feedback.Labelled:N0} labelled requests of {feedback.Requests:N0}"));
            Row("retraining", feedback.Retraining is { } job ? $"job {job.Job.Id}: {job.Job.State} (challenger v{job.Job.ChallengerVersion})"
                : feedback.RetrainingFailure is { } failure ? $"failed: {failure}" : $"not started: {feedback.Decision.Reason}");
            Row("live accuracy", Invariant($"clean {Percent(feedback.CleanLiveAccuracy)} → shifted {Percent(feedback.ShiftedLiveAccuracy)} → after retraining {Percent(feedback.AfterLiveAccuracy)}"));
            if (feedback.Recovery is { } r)
                Row("unseen images", Invariant($"shifted {r.ShiftedBefore:P2} → {r.ShiftedAfter:P2} (McNemar p {r.ShiftedMcNemarP:G3}); clean {r.CleanBefore:P2} → {r.CleanAfter:P2}"));
            Row("loop plot", feedback.Plot);
            Row("monitoring report", feedback.Report);
        }
        Row("registry", Home);
        Row("wall time", Invariant($"{(total ?? Elapsed).TotalSeconds:F0} s"));
        AnsiConsole.Write(table);
        foreach (var (what, line) in new[]
        {
            ("Versions, aliases and why they moved:", $"modelloop models show {Name} --home {Quote(Home)}"),
            ("Evaluate what is in production:", $"modelloop eval {Name}:production fashion-mnist --home {Quote(Home)}"),
            ($"Serve production from the registry, hot-reloading promotions (POST /v1/models/{Name}/predict):", $"modelloop serve --home {Quote(Home)} --no-keys"),
        })
            AnsiConsole.MarkupLine($"{Markup.Escape(what)}\n  [bold]{Markup.Escape(line)}[/]");
    }

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "n/a";

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
