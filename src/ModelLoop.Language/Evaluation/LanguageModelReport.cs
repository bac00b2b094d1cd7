using System.Globalization;
using ModelLoop.Evaluation.Report;
using ScottPlot;

namespace ModelLoop.Language.Evaluation;

/// <summary>The language-model section of an evaluation report: what <see cref="HeldOutScores"/> says, as tables, a histogram and JSON.</summary>
public static class LanguageModelReport
{
    /// <summary>The section's key in evaluation.json.</summary>
    public const string Key = "languageModel";

    /// <summary>Documents listed in the page's table (the hardest first); evaluation.json lists every one.</summary>
    public const int TableDocuments = 20;

    /// <param name="split">The documents' part ("test", "validation", "all"), for the text.</param>
    public static ReportSection Section(HeldOutScores scores, string split)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var bySource = scores.Documents.GroupBy(d => d.Source)
            .Select(g => (Source: g.Key, Documents: g.Count(), Tokens: g.Sum(d => (long)d.Tokens), Loss: g.Sum(d => d.LossSum) / g.Sum(d => (double)d.Tokens)))
            .OrderByDescending(g => g.Tokens).ToList();
        var hardest = scores.Documents.OrderByDescending(d => d.MeanLoss).Take(TableDocuments).ToList();
        return new ReportSection
        {
            Key = Key,
            Heading = "Held-out text: loss and perplexity",
            Data = new
            {
                split,
                documents = scores.Documents.Count,
                tokens = scores.Tokens,
                loss = scores.MeanLoss,
                perplexity = scores.Perplexity,
                bySource = bySource.Select(g => new { source = g.Source, documents = g.Documents, tokens = g.Tokens, loss = g.Loss, perplexity = Math.Exp(g.Loss) }),
                perDocument = scores.Documents.Select(d => new { index = d.Index, source = d.Source, tokens = d.Tokens, loss = d.MeanLoss, perplexity = Math.Exp(d.MeanLoss) }),
            },
            Paragraphs =
            [
                Invariant($"{scores.Documents.Count:N0} {split} documents, {scores.Tokens:N0} tokens predicted: mean loss {scores.MeanLoss:0.####} nats per token (token-weighted), perplexity {scores.Perplexity:0.###}."),
                "Each document is scored on its own, after an end-of-text token and through the end-of-text after it, in windows of the model's block size. "
                    + Invariant($"The table lists categories by size, then the {hardest.Count} documents with the highest loss per token; evaluation.json holds every document."),
            ],
            TableHeaders = ["category or document", "documents", "tokens", "loss per token", "perplexity"],
            TableRows =
            [
                .. bySource.Select(g => (IReadOnlyList<string>)[g.Source, Invariant($"{g.Documents:N0}"), Invariant($"{g.Tokens:N0}"), Invariant($"{g.Loss:0.####}"), Invariant($"{Math.Exp(g.Loss):0.###}")]),
                .. hardest.Select(d => (IReadOnlyList<string>)[Invariant($"document {d.Index} ({d.Source})"), "1", Invariant($"{d.Tokens:N0}"), Invariant($"{d.MeanLoss:0.####}"), Invariant($"{Math.Exp(d.MeanLoss):0.###}")]),
            ],
            Plots = [new ReportPlot("document-loss", "Per-document loss per token on the held-out documents; the dashed line is the token-weighted mean.", Histogram(scores))],
        };
    }

    private static byte[] Histogram(HeldOutScores scores)
    {
        var losses = scores.Documents.Select(d => d.MeanLoss).ToArray();
        var plot = new Plot();
        if (losses.Max() > losses.Min())
            plot.Add.Histogram(ScottPlot.Statistics.Histogram.WithBinCount(Math.Clamp(losses.Length / 5, 5, 40), losses));
        else
            plot.Add.Bar(position: losses[0], value: losses.Length); // one document, or all alike: bins of width 0 do not exist
        var mean = plot.Add.VerticalLine(scores.MeanLoss);
        mean.LinePattern = LinePattern.Dashed;
        plot.Title("Loss per token, by document");
        plot.XLabel("loss (nats per token)");
        plot.YLabel("documents");
        return plot.GetImageBytes(600, 420, ImageFormat.Png);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
