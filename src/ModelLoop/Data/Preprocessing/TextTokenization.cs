namespace ModelLoop.Data.Preprocessing;

/// <summary>How text columns become token ids under <see cref="TextEncoding.TokenIds"/>.</summary>
public enum TextTokenization
{
    /// <summary>One id per character (text element). The default: no vocabulary to learn, robust on short fields.</summary>
    Characters,
    /// <summary>
    /// Byte-pair encoding: merges learned from the training column (up to <see cref="PreprocessingOptions.BpeVocabularySize"/>
    /// tokens), applied with Microsoft.ML.Tokenizers' BpeTokenizer after its word/non-word pre-tokenizer.
    /// </summary>
    Bpe,
}
