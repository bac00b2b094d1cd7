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

    /// <summary>
    /// The tokenizer of a folder's files already read, by file name (<c>vocab.json</c>, and <c>merges.txt</c> for
    /// byte-level BPE): what <see cref="Load"/> reads, from a verified package instead of a folder.
    /// </summary>
    /// <param name="source">Where the files came from, for errors.</param>
    /// <exception cref="InvalidDataException">No vocab.json among <paramref name="files"/>.</exception>
    /// <exception cref="FormatException">A file is not in the GPT-2 layout.</exception>
    public static ITextTokenizer FromFiles(IReadOnlyDictionary<string, byte[]> files, string source)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!files.TryGetValue(ByteLevelBpeTokenizer.VocabularyFile, out var vocabulary))
            throw new InvalidDataException($"{source} holds no tokenizer {ByteLevelBpeTokenizer.VocabularyFile} (it holds [{string.Join(", ", files.Keys.Order(StringComparer.Ordinal))}]). Save or register the model with its tokenizer (LanguageModelPackage.Save, LanguageModelRegistration.Register).");
        var json = System.Text.Encoding.UTF8.GetString(vocabulary);
        return files.TryGetValue(ByteLevelBpeTokenizer.MergesFile, out var merges)
            ? ByteLevelBpeTokenizer.FromFiles(json, System.Text.Encoding.UTF8.GetString(merges), source)
            : CharTokenizer.FromVocabulary(ByteLevelBpeTokenizer.ParseVocabulary(json, $"{ByteLevelBpeTokenizer.VocabularyFile} of {source}"), $"{ByteLevelBpeTokenizer.VocabularyFile} of {source}");
    }
}
