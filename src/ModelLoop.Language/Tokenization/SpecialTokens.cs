namespace ModelLoop.Language.Tokenization;

/// <summary>The special tokens ModelLoop's tokenizers share (GPT-2's spelling, so its files and ours agree).</summary>
public static class SpecialTokens
{
    /// <summary>Ends a document; GPT-2 uses it as both the separator and the start of generation.</summary>
    public const string EndOfText = "<|endoftext|>";
}
