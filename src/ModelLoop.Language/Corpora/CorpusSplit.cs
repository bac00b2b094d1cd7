using ModelLoop.Data.Splits;

namespace ModelLoop.Language.Corpora;

/// <summary>A corpus cut into train and validation documents; no document is in both, so held-out text is unseen.</summary>
public sealed record CorpusSplit(IReadOnlyList<CorpusDocument> Train, IReadOnlyList<CorpusDocument> Validation)
{
    /// <summary>
    /// A random split by document (the core's <see cref="DataSplits.Random"/> over document indices): the same
    /// documents and seed give the same split on every machine. Each part keeps corpus order.
    /// </summary>
    /// <param name="validation">The share of documents held out, in [0, 1). Defaults to 0.1.</param>
    /// <param name="seed">The shuffle's seed. Defaults to 1337.</param>
    public static CorpusSplit ByDocument(IReadOnlyList<CorpusDocument> documents, double validation = 0.1, int seed = 1337)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var split = DataSplits.Random(documents.Count, validation, 0, seed);
        return new CorpusSplit([.. split.Train.Select(i => documents[i])], [.. split.Validation.Select(i => documents[i])]);
    }
}
