using ModelLoop.Data.Readers;

namespace ModelLoop.Language.Corpora;

/// <summary>Reads a corpus path (file or folder) in a <see cref="CorpusFormat"/> into documents: the one place that decides how.</summary>
public static class LanguageCorpus
{
    /// <exception cref="FileNotFoundException">Neither a file nor a folder exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The path holds no document.</exception>
    public static IReadOnlyList<CorpusDocument> Read(string path, CorpusFormat format = CorpusFormat.Fortunes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var folder = Directory.Exists(path);
        if (!folder && !File.Exists(path))
            throw new FileNotFoundException($"Corpus '{path}' does not exist; pass a text file or a folder (e.g. {FortunesCorpus.DebianFolder}).", path);
        IReadOnlyList<CorpusDocument> documents = (format, folder) switch
        {
            (CorpusFormat.Fortunes, true) => FortunesCorpus.ReadFolder(path),
            (CorpusFormat.Fortunes, false) => [.. FortunesCorpus.ReadFile(path)],
            (CorpusFormat.Text, true) => [.. TextCorpus.ReadFolder(path).Select(f => new CorpusDocument(Path.GetRelativePath(path, f.Path), f.Text))],
            (CorpusFormat.Text, false) => [.. TextCorpus.ReadDocuments(path).Select(t => new CorpusDocument(Path.GetFileName(path), t))],
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"Unknown corpus format {format}; expected {string.Join(" or ", Enum.GetNames<CorpusFormat>())}."),
        };
        return documents.Count > 0
            ? documents
            : throw new InvalidDataException($"Corpus '{path}' holds no {format} document. {(format == CorpusFormat.Fortunes ? "Fortune files separate entries with '%' lines; for plain text pass format Text." : "Text documents are separated by blank lines; a folder needs *.txt files.")}");
    }
}
