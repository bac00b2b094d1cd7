using System.Security.Cryptography;
using System.Text;
using ModelLoop.Data.Readers;

namespace ModelLoop.Data.Versioning;

/// <summary>SHA-256 content hashes (lower-case hex) of files, folders and tables, for dataset versions.</summary>
public static class ContentHash
{
    /// <summary>SHA-256 of a file's bytes, streamed.</summary>
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// SHA-256 of a folder: of the sorted lines "relative/path\tsha256" of every file under it (ordinal order,
    /// '/' separators), so it depends on names and contents only, not on timestamps or listing order.
    /// </summary>
    public static string OfDirectory(string directory)
    {
        var lines = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => (Path: System.IO.Path.GetRelativePath(directory, f).Replace('\\', '/'), File: f))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => $"{f.Path}\t{OfFile(f.File)}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines))));
    }

    /// <summary>SHA-256 of a file, or of a folder as <see cref="OfDirectory"/> says.</summary>
    /// <exception cref="FileNotFoundException">Neither exists.</exception>
    public static string OfPath(string path) =>
        File.Exists(path) ? OfFile(path)
        : Directory.Exists(path) ? OfDirectory(path)
        : throw new FileNotFoundException($"'{path}' is neither a file nor a folder; cannot hash it.", path);

    /// <summary>SHA-256 of a table's cells (header and rows, unit and record separators between, null apart from ""): equal tables hash equal whatever file they came from.</summary>
    public static string OfTable(RawTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(IEnumerable<string?> cells) =>
            hash.AppendData(Encoding.UTF8.GetBytes(string.Join('\u001f', cells.Select(c => c ?? "\u0000")) + "\u001e"));
        Add(table.Columns);
        foreach (var row in table.Rows)
            Add(row);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
