namespace ModelLoop.Language.Tokenization;

/// <summary>
/// Text ↔ token ids, the one contract every language-model component (datasets, models, generation, serving) uses:
/// <see cref="CharTokenizer"/>, <see cref="ByteLevelBpeTokenizer"/> (trained here, GPT-2 file layout) and
/// <see cref="Gpt2Tokenizer"/> (GPT-2's own vocabulary). Ids lie in [0, <see cref="VocabularySize"/>).
/// </summary>
public interface ITextTokenizer
{
    /// <summary>How many distinct ids <see cref="Encode"/> and <see cref="Decode"/> use, special tokens included.</summary>
    int VocabularySize { get; }

    /// <summary>The id of <see cref="SpecialTokens.EndOfText"/>, which separates documents in a token stream.</summary>
    int EndOfTextId { get; }

    /// <summary>
    /// The ids of <paramref name="text"/>. A literal "&lt;|endoftext|&gt;" in the text becomes <see cref="EndOfTextId"/>,
    /// as with GPT-2's own tokenizers (so decoding gives it back); callers that must not let user text forge a document
    /// boundary remove it first.
    /// </summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>
    /// The text of <paramref name="ids"/>; <see cref="EndOfTextId"/> becomes <see cref="SpecialTokens.EndOfText"/>.
    /// Byte-level tokenizers may hold part of a multi-byte character in one token: decoding a sequence that cuts a
    /// character gives U+FFFD for the cut bytes (never an exception); decode whole sequences, or
    /// use <see cref="ByteLevelBpeTokenizer.DecodeToBytes"/> to join bytes first.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, <see cref="VocabularySize"/>).</exception>
    string Decode(IReadOnlyList<int> ids);
}
