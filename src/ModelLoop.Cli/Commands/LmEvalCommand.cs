using System.CommandLine;
using System.Globalization;
using ModelLoop.Language.Evaluation;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop lm eval MODEL [--corpus PATH] [--split test|validation|all] [--against CHAMPION] [--out DIR] [--home DIR]</c>:
/// a <see cref="LanguageModelEvaluationJob"/>: per-document held-out loss and perplexity (token-weighted), report.html
/// with the run's loss curves and evaluation.json.
/// </summary>
internal static class LmEvalCommand
{
    public static Command Create()
    {
        var modelArgument = new Argument<string>("model") { Description = "A language-model package folder (model/ + tokenizer/, or a run folder of `lm train`) or a registered NAME[:VERSION|ALIAS]." };
        var corpusOption = new Option<string?>("--corpus") { Description = "Score another corpus (file or folder), cut by the model's split. Defaults to the corpus the model was trained on." };
        var splitOption = LmCompareCommand.SplitOption();
        var againstOption = new Option<string?>("--against") { Description = "A champion (folder or NAME[:VERSION|ALIAS]) scored on the same documents: the report shows the paired-bootstrap verdict. Defaults to none." };
        var outOption = new Option<string?>("--out", "-o") { Description = "Folder for report.html and evaluation.json. Defaults to MODEL/eval (eval/NAME-vN for a registry model)." };
        var homeOption = RunsTrackingOptions.HomeOption();
        var command = new Command("eval", "Evaluate a language model on held-out text: loss and perplexity per document and over all tokens, in the evaluation report.")
        {
            modelArgument, corpusOption, splitOption, againstOption, outOption, homeOption,
        };
        command.SetAction(result =>
        {
            var outcome = LanguageModelEvaluationJob.Run(new LanguageModelEvaluationRequest
            {
                Model = result.GetValue(modelArgument)!,
                Home = result.GetValue(homeOption),
                Corpus = result.GetValue(corpusOption),
                Split = result.GetValue(splitOption),
                Against = result.GetValue(againstOption),
                OutputDirectory = result.GetValue(outOption),
            }, text => AnsiConsole.MarkupLine(Markup.Escape(text)));
            var scores = outcome.Scores;
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{scores.Documents.Count:N0} documents, {scores.Tokens:N0} tokens: loss {scores.MeanLoss:0.####} nats/token, perplexity {scores.Perplexity:0.###}")));
            if (outcome.Comparison is { } comparison)
                AnsiConsole.MarkupLine($"Against {Markup.Escape(result.GetValue(againstOption)!)}: [bold]{comparison.Verdict}[/]. {Markup.Escape(comparison.Reason)}");
            AnsiConsole.MarkupLine($"Report: {Markup.Escape(outcome.Report.Html)} ({outcome.Report.Plots.Count} plots)");
            AnsiConsole.MarkupLine($"Summary: {Markup.Escape(outcome.Report.Json)}");
            return 0;
        });
        return command;
    }
}
