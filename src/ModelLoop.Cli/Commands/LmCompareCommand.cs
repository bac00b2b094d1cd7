using System.CommandLine;
using ModelLoop.Evaluation;
using ModelLoop.Language.Evaluation;
using ModelLoop.Registry;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm compare CHAMPION CHALLENGER [--promote ALIAS]... [--split test|validation|all] [--corpus PATH]
/// [--resamples N] [--seed N] [--alpha A] [--home DIR]</c>: the <see cref="LanguageModelGate"/> — both models on the same
/// held-out documents, a paired bootstrap over documents, and with --promote the registry's gate moves the aliases only
/// when the challenger's perplexity is lower and significant (the reason goes into the alias history either way).
/// </summary>
internal static class LmCompareCommand
{
    public static Option<HeldOutSplit> SplitOption() => new("--split")
    {
        Description = "Which documents of the model's corpus split are scored: test, validation or all. Defaults to test.",
        DefaultValueFactory = _ => HeldOutSplit.Test,
    };

    public static Command Create()
    {
        var championArgument = new Argument<string>("champion") { Description = "The model in place: NAME:ALIAS or NAME:VERSION in the registry, or a package folder." };
        var challengerArgument = new Argument<string>("challenger") { Description = "The candidate: NAME:VERSION (or alias) of the same registered model, or a package folder." };
        var promoteOption = new Option<string[]>("--promote") { Description = "Aliases the challenger takes when better (e.g. champion, production); repeatable. Both must be versions of one registered model. Defaults to none: compare only.", AllowMultipleArgumentsPerToken = false };
        var splitOption = SplitOption();
        var corpusOption = new Option<string?>("--corpus") { Description = "Score another corpus (file or folder), cut by the challenger's split. Defaults to the challenger's corpus." };
        var defaults = new ComparisonOptions();
        var resamplesOption = new Option<int>("--resamples") { Description = $"Bootstrap resamples of the documents. Defaults to {defaults.BootstrapResamples}.", DefaultValueFactory = _ => defaults.BootstrapResamples };
        var seedOption = new Option<int>("--seed") { Description = $"Seed of the resampling (same seed, same result). Defaults to {defaults.Seed}.", DefaultValueFactory = _ => defaults.Seed };
        var alphaOption = new Option<double>("--alpha") { Description = $"Significance level: promoted only when p is below it. Defaults to {defaults.Alpha}.", DefaultValueFactory = _ => defaults.Alpha };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("compare", "Compare two language models on the same held-out documents (paired bootstrap over documents); --promote moves aliases only when the challenger is significantly better.")
        {
            championArgument, challengerArgument, promoteOption, splitOption, corpusOption, resamplesOption, seedOption, alphaOption, homeOption,
        };
        command.SetAction(result =>
        {
            var outcome = LanguageModelGate.Run(result.GetValue(championArgument)!, result.GetValue(challengerArgument)!, new LanguageModelGateOptions
            {
                Home = result.GetValue(homeOption),
                Split = result.GetValue(splitOption),
                Corpus = result.GetValue(corpusOption),
                Promote = result.GetValue(promoteOption) ?? [],
                Comparison = defaults with { BootstrapResamples = result.GetValue(resamplesOption), Seed = result.GetValue(seedOption), Alpha = result.GetValue(alphaOption) },
            });
            var comparison = outcome.Comparison;
            var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn(new TableColumn("champion").RightAligned())
                .AddColumn(new TableColumn("challenger").RightAligned()).AddColumn(new TableColumn("difference").RightAligned()).AddColumn(new TableColumn("interval").RightAligned());
            foreach (var m in comparison.Metrics)
                table.AddRow(Markup.Escape(m.Metric), F(m.Champion), F(m.Challenger), F(m.Difference), Markup.Escape($"[{F(m.Lower)}, {F(m.Upper)}]"));
            AnsiConsole.MarkupLine($"Champion {Markup.Escape(outcome.Champion)}");
            AnsiConsole.MarkupLine($"Challenger {Markup.Escape(outcome.Challenger)}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"[bold]{comparison.Verdict}[/]. {Markup.Escape(comparison.Reason)}");
            if (outcome.Decision is { } decision)
                AnsiConsole.MarkupLine((decision.Promoted ? "[green]Promoted.[/] " : "[yellow]Not promoted.[/] ") + Markup.Escape(decision.Reason));
            return 0;
        });
        return command;
    }

    private static string F(double value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
