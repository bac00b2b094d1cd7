using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelLoop.Tests.Data;

/// <summary>A temporary folder for tiny IDX and CSV files written by a test; deleted on dispose.</summary>
internal sealed class IdxFiles : IDisposable
{
    public IdxFiles() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "modelloop-data-tests-" + Guid.NewGuid().ToString("N"));

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>The bytes of an IDX file: 00 00 type rank, big-endian int32 sizes, then <paramref name="data"/>.</summary>
    public static byte[] Encode(int[] shape, byte[] data, byte elementType = 0x08)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = elementType;
        bytes[3] = (byte)shape.Length;
        for (var i = 0; i < shape.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(bytes);
        return memory.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> (gzipped when asked) to a file in the folder; returns its path.</summary>
    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    public string WriteIdx(string name, int[] shape, byte[] data, bool gzip = false) => Write(name, Encode(shape, data), gzip);

    public string WriteText(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Bytes 0, 1, 2, … wrapping at 256.</summary>
    public static byte[] Counting(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // the OS temp cleaner gets it later
        }
    }
}
