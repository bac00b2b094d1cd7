using System.Text;

namespace ModelLoop.Data.Readers;

/// <summary>
/// Plain-text corpora, streamed: a file as lines, a file as documents separated by blank lines, or a folder of
/// files as documents. Text must be UTF-8 (a BOM is skipped); invalid bytes are an error naming the file, the
/// line and the byte offset instead of silently becoming U+FFFD.
/// </summary>
public static class TextCorpus
{
    /// <summary>The lines of a file, lazily (line breaks LF or CRLF removed). Large files are never held whole.</summary>
    /// <exception cref="FileNotFoundException">No such file (when enumeration starts).</exception>
    /// <exception cref="FormatException">Bytes that are not UTF-8; the message names the file, line and byte offset.</exception>
    public static IEnumerable<string> ReadLines(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Text file '{path}' does not exist.", path);
        return Lines(path);

        static IEnumerable<string> Lines(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            foreach (var line in ReadLines(stream, path))
                yield return line;
        }
    }

    /// <summary>The lines of a stream; <paramref name="name"/> is what error messages call it.</summary>
    public static IEnumerable<string> ReadLines(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var buffer = new MemoryStream();
        long offset = 0, lineStart = 0;
        var lineNumber = 0;
        int b;
        while (true)
        {
            b = stream.ReadByte();
            if (b == '\n' || b < 0)
            {
                if (b < 0 && buffer.Length == 0 && (lineNumber > 0 || offset == 0))
                    yield break;
                lineNumber++;
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                if (lineNumber == 1 && bytes.StartsWith(Encoding.UTF8.Preamble))
                    bytes = bytes[3..];
                if (bytes.Length > 0 && bytes[^1] == '\r')
                    bytes = bytes[..^1];
                string text;
                try
                {
                    text = strict.GetString(bytes);
                }
                catch (DecoderFallbackException e)
                {
                    var at = lineStart + Math.Max(e.Index, 0) + (lineNumber == 1 && buffer.GetBuffer().AsSpan(0, (int)buffer.Length).StartsWith(Encoding.UTF8.Preamble) ? 3 : 0);
                    throw new FormatException($"'{name}' line {lineNumber} (byte {at:N0}): bytes that are not UTF-8 ({Convert.ToHexString(e.BytesUnknown ?? [])}). Expected UTF-8 text; convert it (e.g. `iconv -f latin1 -t utf-8`).", e);
                }
                yield return text;
                if (b < 0)
                    yield break;
                buffer.SetLength(0);
                offset++;
                lineStart = offset;
                continue;
            }
            buffer.WriteByte((byte)b);
            offset++;
        }
    }

    /// <summary>Documents of a file: runs of non-blank lines separated by one or more blank lines, each joined with '\n'.</summary>
    public static IEnumerable<string> ReadDocuments(string path)
    {
        var current = new List<string>();
        foreach (var line in ReadLines(path))
        {
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0)
                    yield return string.Join('\n', current);
                current.Clear();
            }
            else
            {
                current.Add(line);
            }
        }
        if (current.Count > 0)
            yield return string.Join('\n', current);
    }

    /// <summary>Each file under <paramref name="directory"/> matching <paramref name="pattern"/> (recursively, ordinal path order) as one document.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IEnumerable<(string Path, string Text)> ReadFolder(string directory, string pattern = "*.txt")
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Corpus folder '{directory}' does not exist; pass a folder of {pattern} files.");
        foreach (var file in Directory.EnumerateFiles(directory, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return (file, string.Join('\n', ReadLines(file)));
    }
}
