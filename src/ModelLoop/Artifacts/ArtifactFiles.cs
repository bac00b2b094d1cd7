using System.IO.Compression;
using ModelLoop.IO;

namespace ModelLoop.Artifacts;

/// <summary>
/// The files of an artifact as name → bytes, read from or written to a folder or a single .zip. Names are
/// flat (no folders), so a hostile zip cannot write or read outside the artifact. Writing is atomic: a
/// folder is written beside the target and renamed, a zip goes through <see cref="AtomicFile"/>.
/// </summary>
internal static class ArtifactFiles
{
    /// <summary>Larger files are refused on read (guards against zip bombs): 4 GiB.</summary>
    private const long MaxFileBytes = 4L << 30;

    public static bool IsZip(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    public static Dictionary<string, byte[]> Read(string path)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (IsZip(path) && File.Exists(path))
        {
            try
            {
                using var zip = ZipFile.OpenRead(path);
                foreach (var entry in zip.Entries)
                {
                    CheckName(entry.FullName, path);
                    if (entry.Length > MaxFileBytes)
                        throw new InvalidDataException($"{entry.FullName} in artifact '{path}' unpacks to {entry.Length} bytes, over the {MaxFileBytes}-byte limit.");
                    using var stream = entry.Open();
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    files[entry.FullName] = buffer.ToArray();
                }
            }
            catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Artifact '{path}' is not a readable zip: {e.Message}", e);
            }
            return files;
        }
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"No model artifact at '{path}'. Expected a folder with manifest.json, model.json and weights.safetensors, or a .zip of one.");
        foreach (var file in Directory.EnumerateFileSystemEntries(path))
        {
            var name = Path.GetFileName(file);
            if (Directory.Exists(file))
                throw new InvalidDataException($"Artifact '{path}' holds a folder '{name}'; an artifact holds only the files its manifest lists.");
            files[name] = File.ReadAllBytes(file);
        }
        return files;
    }

    public static void Write(string path, IReadOnlyDictionary<string, byte[]> files, bool overwrite)
    {
        var full = Path.GetFullPath(path.TrimEnd('/', Path.DirectorySeparatorChar));
        if (!overwrite && (File.Exists(full) || Directory.Exists(full)))
            throw new InvalidOperationException($"'{full}' already exists. Choose another path, or save with ArtifactSaveOptions {{ Overwrite = true }}.");
        if (IsZip(full))
        {
            AtomicFile.Write(full, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var (name, bytes) in files)
                {
                    using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                    entry.Write(bytes);
                }
            });
            return;
        }
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (name, bytes) in files)
            {
                using var stream = new FileStream(Path.Combine(staging, name), FileMode.CreateNew, FileAccess.Write);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            // A folder cannot be renamed over another: move the old one aside first, then drop it.
            string? old = null;
            if (Directory.Exists(full))
            {
                old = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.old");
                Directory.Move(full, old);
            }
            Directory.Move(staging, full);
            if (old is not null)
                Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    private static void CheckName(string name, string artifact)
    {
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\') || name is "." or "..")
            throw new InvalidDataException($"Artifact '{artifact}' holds an entry '{name}' with a path; artifact entries are plain file names. Refusing to read it.");
    }
}
