namespace ModelLoop.Language.Tokenization;

/// <summary>Opens a saved tokenizer folder, whichever kind wrote it.</summary>
public static class TextTokenizers
{
    /// <summary>
    /// A <see cref="ByteLevelBpeTokenizer"/> when the folder holds <c>merges.txt</c>, else a <see cref="CharTokenizer"/>
    /// from its <c>vocab.json</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static ITextTokenizer Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Tokenizer folder '{directory}' does not exist; pass a folder with vocab.json (and merges.txt for BPE), e.g. one written by `modelloop lm tokenizer train`.");
        return File.Exists(Path.Combine(directory, ByteLevelBpeTokenizer.MergesFile))
            ? ByteLevelBpeTokenizer.Load(directory)
            : CharTokenizer.Load(directory);
    }
}
