using ModelLoop.Data.Readers;

namespace ModelLoop.Language.Corpora;

/// <summary>
/// Debian's fortune files (packages fortunes, fortunes-zh, …): entries separated by lines holding a single '%', one
/// file per category. Each entry is a <see cref="CorpusDocument"/> whose source is the file's name. Lines are read
/// by the core's <see cref="TextCorpus"/>, so bytes that are not UTF-8 are an error naming file, line and offset.
/// </summary>
public static class FortunesCorpus
{
    /// <summary>Where Debian installs the fortune files.</summary>
    public const string DebianFolder = "/usr/share/games/fortunes";

    /// <summary>The entries of one fortune file, in file order; blank entries are skipped.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static IEnumerable<CorpusDocument> ReadFile(string path)
    {
        var source = Path.GetFileName(path);
        var lines = new List<string>();
        foreach (var line in TextCorpus.ReadLines(path))
        {
            if (line == "%")
            {
                if (Entry(lines) is { } text)
                    yield return new CorpusDocument(source, text);
                lines.Clear();
            }
            else
            {
                lines.Add(line);
            }
        }
        if (Entry(lines) is { } last)
            yield return new CorpusDocument(source, last);
    }

    /// <summary>
    /// The entries of every fortune file directly in <paramref name="directory"/> (files without an extension: the
    /// .dat indexes and .u8 links are skipped), in ordinal file-name order; <paramref name="categories"/> keeps only those files.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="ArgumentException">A category with no file; the message lists the ones present.</exception>
    public static IReadOnlyList<CorpusDocument> ReadFolder(string directory = DebianFolder, IReadOnlyCollection<string>? categories = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Fortunes folder '{directory}' does not exist. Install Debian's fortunes (apt-get install fortunes) or pass a folder of fortune files.");
        var files = Directory.EnumerateFiles(directory).Where(f => Path.GetExtension(f).Length == 0)
            .Order(StringComparer.Ordinal).ToList();
        if (categories is not null)
        {
            var present = files.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            var missing = categories.Where(c => !present.Contains(c)).ToList();
            if (missing.Count > 0)
                throw new ArgumentException($"No fortune file for categor{(missing.Count == 1 ? "y" : "ies")} {string.Join(", ", missing)} in '{directory}'. Expected some of: {string.Join(", ", present.Order(StringComparer.Ordinal))}.", nameof(categories));
            files = [.. files.Where(f => categories.Contains(Path.GetFileName(f)))];
        }
        return [.. files.SelectMany(ReadFile)];
    }

    private static string? Entry(List<string> lines)
    {
        var text = string.Join('\n', lines).TrimEnd();
        return text.Trim().Length == 0 ? null : text;
    }
}
