namespace ModelLoop.Language.Tokenization;

/// <summary>What <see cref="TokenizerTraining.Train"/> built and how well it compresses its corpus.</summary>
/// <param name="Kind">The tokenizer kind.</param>
/// <param name="VocabularySize">Ids in the vocabulary, special tokens included.</param>
/// <param name="Merges">BPE merges learned (0 for characters).</param>
/// <param name="Documents">Documents in the corpus.</param>
/// <param name="Bytes">UTF-8 bytes of the corpus.</param>
/// <param name="Tokens">Tokens the corpus encodes to.</param>
/// <param name="Files">The files written.</param>
public sealed record TokenizerTrainingSummary(TokenizerKind Kind, int VocabularySize, int Merges, int Documents, long Bytes, long Tokens, IReadOnlyList<string> Files)
{
    /// <summary>Compression: corpus bytes per token (higher packs more text into a context window).</summary>
    public double BytesPerToken => Tokens == 0 ? 0 : Bytes / (double)Tokens;
}
