namespace ModelLoop.Language.Tokenization;

/// <summary>Which tokenizer <see cref="TokenizerTraining"/> builds.</summary>
public enum TokenizerKind
{
    /// <summary>Byte-level BPE (<see cref="ByteLevelBpeTokenizer"/>), trained to a vocabulary size.</summary>
    Bpe,
    /// <summary>One token per character (<see cref="CharTokenizer"/>); the vocabulary size follows from the corpus.</summary>
    Char,
}
