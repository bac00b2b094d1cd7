using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// Evaluates a language model on held-out documents — its own test (or validation) documents by default — and writes the
/// evaluation report every model gets (<see cref="ReportWriter"/>: report.html with the training loss curves of its
/// tracked run, evaluation.json), with the language-model section (<see cref="LanguageModelReport"/>): loss and perplexity,
/// per-category and per-document tables, the histogram of per-document loss; optionally against a champion on the same documents.
/// </summary>
public static class LanguageModelEvaluationJob
{
    /// <exception cref="ArgumentException">No documents to score, or the champion uses another tokenizer.</exception>
    public static LanguageModelEvaluationOutcome Run(LanguageModelEvaluationRequest request, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        Native.TorchRuntime.EnsureLoaded();
        using var model = LanguageModelResolver.Resolve(request.Model, request.Home);
        var documents = HeldOutText.Documents(model.Config, request.Split, request.Corpus);
        var corpus = request.Corpus ?? model.Config?.Language?.Corpus ?? "?";
        log?.Invoke($"Scoring {documents.Count:N0} {request.Split.ToString().ToLowerInvariant()} documents of {corpus} with {model.Description}.");
        var scores = LanguageModelScoring.Score(model.Package, documents, request.BatchSize, request.Device);
        ComparisonResult? comparison = null;
        if (request.Against is { } against)
        {
            using var champion = LanguageModelResolver.Resolve(against, request.Home);
            log?.Invoke($"Scoring the same documents with the champion {champion.Description}.");
            comparison = LanguageModelComparison.Compare(LanguageModelScoring.Score(champion.Package, documents, request.BatchSize, request.Device), scores, request.Comparison);
        }
        var output = request.OutputDirectory ?? model.DefaultReportFolder;
        Directory.CreateDirectory(output);
        var summary = new EvaluationSummary
        {
            Task = EvaluationTask.LanguageModeling,
            Samples = documents.Count,
            Metrics = new Dictionary<string, double>
            {
                ["loss"] = scores.MeanLoss,
                ["perplexity"] = scores.Perplexity,
                ["tokens"] = scores.Tokens,
            },
        };
        var split = request.Split.ToString().ToLowerInvariant();
        var files = ReportWriter.Write(EvaluationResult.FromSummary(summary), output, new ReportContext
        {
            Title = $"Evaluation of {model.Description.Split(' ')[0]}",
            Model = model.Description,
            Data = $"{corpus}, {split} documents",
            History = model.History,
            Comparison = comparison,
            Sections = [LanguageModelReport.Section(scores, split)],
        });
        return new LanguageModelEvaluationOutcome(scores, files, output, comparison);
    }
}
