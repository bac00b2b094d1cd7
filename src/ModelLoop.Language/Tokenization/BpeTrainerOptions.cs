namespace ModelLoop.Language.Tokenization;

/// <summary>How <see cref="BpeTrainer"/> learns a byte-level BPE vocabulary.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>
    /// The vocabulary size to reach: 256 byte tokens + merges + <see cref="SpecialTokens.EndOfText"/>. At least 257.
    /// Training stops earlier when no pair occurs <see cref="MinPairCount"/> times. Defaults to 1,024.
    /// </summary>
    public int VocabularySize { get; init; } = 1024;

    /// <summary>The fewest occurrences a pair needs to be merged; rarer pairs end training. At least 1. Defaults to 2.</summary>
    public int MinPairCount { get; init; } = 2;

    /// <summary>Receives progress about every 1% of the merges (and at the end). Defaults to none.</summary>
    public IProgress<BpeTrainingProgress>? Progress { get; init; }
}
