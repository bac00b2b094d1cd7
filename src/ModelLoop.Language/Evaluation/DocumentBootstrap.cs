using ModelLoop.Evaluation;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// The paired bootstrap over documents that decides whether a challenger language model is better than a champion on the
/// same held-out documents. Each resample draws as many documents as there are, with replacement (seeded); on the same
/// documents both models' token-weighted mean loss is Σ loss / Σ tokens, and the statistic is challenger − champion
/// (negative: the challenger predicts the text better). Documents, not tokens, are resampled because tokens of one
/// document are not independent. The interval is the percentile interval of the resampled differences; the two-sided
/// p-value is 2·(1 + the smaller count of resamples at or beyond 0 on either side) / (resamples + 1), capped at 1 (never 0 from
/// finitely many resamples).
/// </summary>
/// <remarks>
/// Written here rather than with the core's per-row bootstrap because the statistic is a ratio of sums (token-weighted,
/// not a mean of per-document values), the gate needs a p-value, and perplexity and loss must share one set of resamples.
/// </remarks>
public static class DocumentBootstrap
{
    /// <summary>
    /// Resamples with <paramref name="options"/>' seed and count (<see cref="ComparisonOptions.BootstrapResamples"/>,
    /// <see cref="ComparisonOptions.Seed"/>, <see cref="ComparisonOptions.ConfidenceLevel"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The two score lists are not of the same documents with the same token counts (another tokenizer).</exception>
    public static DocumentBootstrapResult Compare(HeldOutScores champion, HeldOutScores challenger, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        options ??= new ComparisonOptions();
        if (options.BootstrapResamples < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BootstrapResamples, $"BootstrapResamples must be at least 1 for a bootstrap test (1000 is usual); received {options.BootstrapResamples}.");
        var n = champion.Documents.Count;
        var random = new Random(options.Seed);
        var resamples = new int[options.BootstrapResamples][];
        for (var r = 0; r < resamples.Length; r++)
        {
            var rows = new int[n];
            for (var i = 0; i < n; i++)
                rows[i] = random.Next(n);
            resamples[r] = rows;
        }
        return Compare(champion, challenger, resamples, options.ConfidenceLevel);
    }

    /// <summary>The same on given resamples (each a list of document indices): what the reference fixture checks exactly.</summary>
    internal static DocumentBootstrapResult Compare(HeldOutScores champion, HeldOutScores challenger, IReadOnlyList<int[]> resamples, double confidenceLevel)
    {
        var n = champion.Documents.Count;
        if (n == 0 || challenger.Documents.Count != n)
            throw new ArgumentException($"The champion was scored on {n} documents and the challenger on {challenger.Documents.Count}; a paired comparison needs the same, non-empty list of documents.", nameof(challenger));
        var tokens = new double[n];
        var a = new double[n];
        var b = new double[n];
        for (var i = 0; i < n; i++)
        {
            var (x, y) = (champion.Documents[i], challenger.Documents[i]);
            if (x.Tokens != y.Tokens)
                throw new ArgumentException($"Document {i} is {x.Tokens} tokens for the champion and {y.Tokens} for the challenger: the two models use different tokenizers, and losses per token of different tokens are not comparable. Compare models that share a tokenizer.", nameof(challenger));
            (tokens[i], a[i], b[i]) = (x.Tokens, x.LossSum, y.LossSum);
        }
        (double Champion, double Challenger) Means(IEnumerable<int> rows)
        {
            double t = 0, sa = 0, sb = 0;
            foreach (var i in rows)
                (t, sa, sb) = (t + tokens[i], sa + a[i], sb + b[i]);
            return (sa / t, sb / t);
        }
        var (championLoss, challengerLoss) = Means(Enumerable.Range(0, n));
        var lossDifferences = new double[resamples.Count];
        var perplexityDifferences = new double[resamples.Count];
        for (var r = 0; r < resamples.Count; r++)
        {
            var (la, lb) = Means(resamples[r]);
            lossDifferences[r] = lb - la;
            perplexityDifferences[r] = Math.Exp(lb) - Math.Exp(la);
        }
        var atOrBelow = lossDifferences.Count(d => d <= 0);
        var atOrAbove = lossDifferences.Count(d => d >= 0);
        var pValue = Math.Min(1.0, 2.0 * (1 + Math.Min(atOrBelow, atOrAbove)) / (resamples.Count + 1));
        Array.Sort(lossDifferences);
        Array.Sort(perplexityDifferences);
        var tail = (1 - confidenceLevel) / 2;
        return new DocumentBootstrapResult(n, resamples.Count,
            new MetricDifference("perplexity", false, Math.Exp(championLoss), Math.Exp(challengerLoss), Math.Exp(challengerLoss) - Math.Exp(championLoss),
                Statistics.Quantile(perplexityDifferences, tail), Statistics.Quantile(perplexityDifferences, 1 - tail)),
            new MetricDifference("loss", false, championLoss, challengerLoss, challengerLoss - championLoss,
                Statistics.Quantile(lossDifferences, tail), Statistics.Quantile(lossDifferences, 1 - tail)),
            pValue);
    }
}
