using System.CommandLine;
using System.Globalization;
using ModelLoop.Optimization.Tuning;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary><c>modelloop tune show [STUDY]</c>: the stored studies, or one study's best trial and trials table.</summary>
internal static class TuneShowCommand
{
    public static Command Create()
    {
        var studyArgument = new Argument<string?>("study") { Description = "The study's name. Defaults to listing the studies.", Arity = ArgumentArity.ZeroOrOne };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("show", "Show a study's best trial and its trials, or list the studies.") { studyArgument, homeOption };
        command.SetAction(result =>
        {
            var path = StudyStorage.DefaultPath(result.GetValue(homeOption));
            var storage = StudyStorage.OpenExisting(path) ?? throw new FileNotFoundException($"There are no studies yet ({path} does not exist); run `modelloop tune --config … --space …` first, or pass --home.", path);
            if (result.GetValue(studyArgument) is not { } name)
            {
                var list = new Table().Border(TableBorder.Rounded).AddColumn("study").AddColumn("direction").AddColumn("metric").AddColumn("trials").AddColumn("created");
                foreach (var info in storage.ListStudies())
                    list.AddRow(Markup.Escape(info.Name), info.Direction.ToString(), Markup.Escape(info.Metric), storage.GetTrials(info.Id).Count.ToString(CultureInfo.InvariantCulture),
                        info.Created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
                AnsiConsole.Write(list);
                return 0;
            }
            var study = Study.Load(storage, name);
            var trials = study.Trials();
            var best = study.BestTrial();
            AnsiConsole.MarkupLine(Markup.Escape($"study {study.Name}: {study.Direction.ToString().ToLowerInvariant()} {study.Info.Metric}, {trials.Count} trials"));
            if (best is not null)
                AnsiConsole.MarkupLine(Markup.Escape($"best trial {best.Number}: {best.Value!.Value.ToString("G5", CultureInfo.InvariantCulture)}; {StudyReport.Params(best)}"));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("trial").AddColumn("state").AddColumn(new TableColumn("value").RightAligned())
                .AddColumn("params").AddColumn(new TableColumn("epochs").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned()).AddColumn("run");
            foreach (var t in trials)
                table.AddRow(t.Number.ToString(CultureInfo.InvariantCulture), t.State.ToString(), t.Value?.ToString("F4", CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(StudyReport.Params(t)), t.Intermediate.Count.ToString(CultureInfo.InvariantCulture),
                    t.Duration?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "-", Markup.Escape(t.RunId ?? "-"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
