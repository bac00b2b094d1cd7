using ModelLoop.Language.Corpora;
using ModelLoop.Language.Training;
using ModelLoop.Loop;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// The documents a language model is scored on: its own corpus cut by its own split (the config recorded in the
/// package: corpus, categories, data.validation, data.test, data.splitSeed), so the test documents are the ones it was
/// tested on when trained; another corpus is cut the same way, or taken whole (<see cref="HeldOutSplit.All"/>).
/// </summary>
public static class HeldOutText
{
    /// <param name="config">The model's training config, or null when the package records none (then <paramref name="corpus"/> is read whole).</param>
    /// <param name="split">Which part of the split. Defaults to <see cref="HeldOutSplit.Test"/>.</param>
    /// <param name="corpus">Another corpus (file or folder, read in the config's format) instead of the config's. Defaults to null: the config's.</param>
    /// <exception cref="ArgumentException">Neither a config nor a corpus, or the part holds no document.</exception>
    public static IReadOnlyList<CorpusDocument> Documents(TrainingConfig? config, HeldOutSplit split = HeldOutSplit.Test, string? corpus = null)
    {
        if (config?.Language is null)
        {
            if (corpus is null)
                throw new ArgumentException("The model's package records no training config with a language section, so its held-out documents are unknown; pass a corpus (--corpus FILE|DIR) to score it on.", nameof(config));
            return LanguageCorpus.Read(corpus);
        }
        if (corpus is not null)
            config = config with { Language = config.Language with { Corpus = corpus, Categories = null } };
        var (source, documents, cut) = LanguageModelData.ReadSplit(config);
        IReadOnlyList<int> indices = split switch
        {
            HeldOutSplit.Test => cut.Test,
            HeldOutSplit.Validation => cut.Validation,
            HeldOutSplit.All => [.. Enumerable.Range(0, documents.Count)],
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, $"Unknown split {split}; expected {string.Join(", ", Enum.GetNames<HeldOutSplit>())}."),
        };
        if (indices.Count == 0)
            throw new ArgumentException($"The {split.ToString().ToLowerInvariant()} part of '{source}' holds no document ({documents.Count:N0} documents, data.test {config.Data.Test}, data.validation {config.Data.Validation}); choose another split or a larger corpus.", nameof(split));
        return [.. indices.Select(i => documents[i])];
    }
}
