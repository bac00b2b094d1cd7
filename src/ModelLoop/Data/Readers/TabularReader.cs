using CsvHelper;

namespace ModelLoop.Data.Readers;

/// <summary>
/// Reads CSV and TSV files into a <see cref="RawTable"/> whose schema is inferred on first use. Parsing is
/// CsvHelper's (RFC 4180: quoted fields may hold separators, quotes and line breaks), set to reject malformed
/// quoting and ragged rows instead of guessing. The separator is a tab for .tsv/.tab files and a comma
/// otherwise, unless given. The text must be UTF-8 (a BOM is allowed).
/// </summary>
public static class TabularReader
{
    /// <summary>Reads the whole file. Empty lines are skipped; cells are trimmed; missing markers stay as read (the schema counts them).</summary>
    /// <param name="path">The file.</param>
    /// <param name="separator">Field separator. Defaults to tab for .tsv/.tab, comma otherwise.</param>
    /// <param name="inference">How the schema is inferred. Defaults to <see cref="SchemaInferenceOptions.Default"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">
    /// No header, duplicate or blank column names, a ragged row, malformed quoting or bytes that are not UTF-8;
    /// the message names the file, the line and what was expected.
    /// </exception>
    public static RawTable Read(string path, char? separator = null, SchemaInferenceOptions? inference = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Table file '{path}' does not exist.", path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        using var stream = File.OpenRead(path);
        return Read(stream, path, separator ?? (ext is ".tsv" or ".tab" ? '\t' : ','), inference);
    }

    /// <summary>Reads a table from a stream; <paramref name="name"/> is what error messages call it.</summary>
    /// <exception cref="FormatException">As <see cref="Read(string, char?, SchemaInferenceOptions?)"/>.</exception>
    public static RawTable Read(Stream stream, string name, char separator = ',', SchemaInferenceOptions? inference = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var rows = new List<string?[]>();
        string[]? header = null;
        foreach (var (columns, row) in Rows(stream, name, separator))
        {
            header = columns;
            if (row is not null)
                rows.Add(row);
        }
        return new RawTable(header!, rows, inference);
    }

    private static CsvReaderOptions Options(char separator) => CsvReaderOptions.Default with
    {
        Separator = separator,
        TrimWhitespace = true,
        SkipEmptyLines = true,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Allow, // checked below, for a message with both counts
        PoolStrings = true,
    };

    private static string[] CheckHeader(string[] header, string name)
    {
        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
            throw new FormatException($"'{name}' line 1: expected a header row naming the columns; the file is empty or its first line is blank.");
        var blank = Array.FindIndex(header, string.IsNullOrWhiteSpace);
        if (blank >= 0)
            throw new FormatException($"'{name}' line 1: column {blank + 1} of the header has no name; every column needs one.");
        var duplicate = header.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new FormatException($"'{name}' line 1: column '{duplicate.Key}' appears {duplicate.Count()} times; column names must be unique.");
        CheckUtf8(name, 1, header);
        return header;
    }

    /// <summary>The header (first, with a null row), then each data row, checked (field count, UTF-8), as the parser reaches them.</summary>
    private static IEnumerable<(string[] Header, string?[]? Row)> Rows(Stream stream, string name, char separator)
    {
        using var csv = CsvReader.Create(stream, Options(separator), leaveOpen: true);
        string[] header;
        try
        {
            header = CheckHeader(csv.Headers.ToArray(), name);
        }
        catch (CsvFormatException e)
        {
            throw Malformed(name, e, 0, separator);
        }
        yield return (header, null);
        long line = 1;
        while (true)
        {
            string?[] row;
            try
            {
                if (!csv.Read())
                    yield break;
                line = csv.LineNumber;
                if (csv.FieldCount != header.Length)
                    throw RaggedRow(name, line, csv.FieldCount, header.Length, separator);
                row = new string?[header.Length];
                for (var i = 0; i < row.Length; i++)
                    row[i] = csv.GetString(i);
            }
            catch (CsvFormatException e)
            {
                throw Malformed(name, e, line, separator);
            }
            CheckUtf8(name, line, row);
            yield return (header, row);
        }
    }

    private static FormatException Malformed(string name, CsvFormatException e, long line, char separator) =>
        new($"'{name}' line {(e.LineNumber > 0 ? e.LineNumber : line + 1)} (byte {e.ByteOffset}): malformed CSV; expected RFC 4180 fields with {Printable(separator)} between them and \"…\" around fields that hold one ({e.Message}).", e);

    /// <summary>
    /// Streams a large file as tables of at most <paramref name="rowsPerChunk"/> rows (same columns; each chunk infers
    /// its own schema, so transform chunks with a pipeline fitted beforehand). Only one chunk is in memory at a time.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">As <see cref="Read(string, char?, SchemaInferenceOptions?)"/>, when the bad row is reached.</exception>
    public static IEnumerable<RawTable> ReadChunks(string path, int rowsPerChunk = 65_536, char? separator = null, SchemaInferenceOptions? inference = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerChunk, 1);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Table file '{path}' does not exist.", path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return Chunks(path, rowsPerChunk, separator ?? (ext is ".tsv" or ".tab" ? '\t' : ','), inference);
    }

    private static IEnumerable<RawTable> Chunks(string path, int rowsPerChunk, char separator, SchemaInferenceOptions? inference)
    {
        using var stream = File.OpenRead(path);
        string[]? header = null;
        var rows = new List<string?[]>(Math.Min(rowsPerChunk, 65_536));
        foreach (var (columns, row) in Rows(stream, path, separator))
        {
            header = columns;
            if (row is null)
                continue;
            rows.Add(row);
            if (rows.Count == rowsPerChunk)
            {
                yield return new RawTable(header, rows, inference);
                rows = new List<string?[]>(Math.Min(rowsPerChunk, 65_536));
            }
        }
        if (rows.Count > 0)
            yield return new RawTable(header!, rows, inference);
    }

    private static FormatException RaggedRow(string name, long line, int found, int expected, char separator) =>
        new($"'{name}' line {line} has {found} fields; expected {expected}, one per header column. Fix the row, or quote fields that contain '{Printable(separator)}'.");

    /// <summary>
    /// CsvHelper decodes invalid UTF-8 to U+FFFD instead of failing; a Latin-1 file would otherwise load with
    /// replacement characters in its cells and no one would notice. (A file that really holds U+FFFD is rejected too.)
    /// </summary>
    private static void CheckUtf8(string name, long line, string?[] cells)
    {
        foreach (var cell in cells)
            if (cell is not null && cell.Contains('\uFFFD'))
                throw new FormatException($"'{name}' line {line}: bytes that are not UTF-8 in the field '{cell}'. Expected UTF-8 text; re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`).");
    }

    private static string Printable(char c) => c == '\t' ? "\\t" : c.ToString();
}
