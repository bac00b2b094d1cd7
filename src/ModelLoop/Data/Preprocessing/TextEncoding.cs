namespace ModelLoop.Data.Preprocessing;

/// <summary>What features a free-text column of a tabular pipeline becomes.</summary>
public enum TextEncoding
{
    /// <summary>
    /// A TF-IDF vector over the training column's most frequent words (<see cref="BagOfWordsColumn"/>): one feature per
    /// vocabulary word, values a Dense layer can read as magnitudes. The default.
    /// </summary>
    BagOfWords,
    /// <summary>
    /// A fixed-length sequence of token ids (<see cref="TextColumn"/> or <see cref="BpeTextColumn"/>, by
    /// <see cref="PreprocessingOptions.TextTokenization"/>), for a model whose first layer is an Embedding. Ids are
    /// names, not quantities: <see cref="PreprocessingPipeline.CheckFitsDenseInput"/> refuses them for a Dense layer.
    /// </summary>
    TokenIds,
}
