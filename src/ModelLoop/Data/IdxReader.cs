using System.Buffers.Binary;
using System.IO.Compression;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// Reads IDX files (the MNIST family's format: a 4-byte big-endian magic 0x0000TTDD — element type TT,
/// DD dimensions — then DD big-endian int32 sizes, then the data), raw or gzip-compressed (detected by
/// the 1F 8B magic, not the file name; decompressed as a stream, never to a temporary file). Only unsigned
/// bytes (type 0x08) are supported: every published MNIST-family set uses them.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>
    /// Reads a whole file into a uint8 tensor of the shape its header declares, decompressing straight into the
    /// tensor's memory (no intermediate array).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic, unsupported type, a corrupt gzip stream or a truncated file; the message names the file.</exception>
    public static Tensor ReadTensor(string path)
    {
        TorchRuntime.EnsureLoaded();
        Tensor? tensor = null;
        try
        {
            ReadInto(path, shape =>
            {
                tensor = empty(shape, ScalarType.Byte);
                HugePages.Advise(tensor);
                return tensor.bytes;
            });
            return tensor!;
        }
        catch
        {
            tensor?.Dispose();
            throw;
        }
    }

    /// <summary>The shape the header declares and the raw bytes of the data (row-major, one byte per element).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic, unsupported type, a corrupt gzip stream or a truncated file; the message names the file.</exception>
    public static (long[] Shape, byte[] Data) Read(string path)
    {
        byte[]? data = null;
        var shape = ReadInto(path, shape => data = new byte[shape.Aggregate(1L, (a, b) => a * b)]);
        return (shape, data!);
    }

    /// <summary>Where the data bytes go, once the header has given the shape.</summary>
    private delegate Span<byte> Destination(long[] shape);

    /// <summary>Parses and checks the header, then streams the data into the destination; returns the shape.</summary>
    private static long[] ReadInto(string path, Destination destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        // Offsets below count decompressed bytes; for a .gz file the message says so.
        var where = gzip ? "decompressed byte" : "byte";

        Span<byte> magic = stackalloc byte[4];
        var got = ReadFully(stream, magic, path, 0);
        if (got != 4)
            throw new InvalidDataException($"'{path}' is too short for an IDX header: expected at least 4 bytes, found {got}. The file is truncated or empty; download it again.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"'{path}' is not an IDX file: at {where} 0 it starts with {magic[0]:X2} {magic[1]:X2}, expected 00 00 (then the element type and dimension count). Pass an MNIST-family IDX file, raw or .gz.");
        if (magic[2] != UnsignedByte)
            throw new InvalidDataException($"'{path}' holds IDX element type 0x{magic[2]:X2} (at {where} 2); only 0x08 (unsigned byte), used by the MNIST family, is supported.");
        var rank = magic[3];
        if (rank is 0 or > 8)
            throw new InvalidDataException($"'{path}' declares {rank} dimensions (at {where} 3); expected 1 to 8.");

        var shape = new long[rank];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (var i = 0; i < rank; i++)
        {
            var offset = 4 + 4 * i;
            if (ReadFully(stream, size, path, offset) != 4)
                throw new InvalidDataException($"'{path}' ends inside its header at {where} {offset}: the magic declares {rank} dimension sizes ({4 + 4 * rank} header bytes). The file is truncated; download it again.");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(size);
            if (shape[i] < 0)
                throw new InvalidDataException($"'{path}' declares a negative size ({shape[i]}) for dimension {i} at {where} {offset}; the header is corrupt.");
            total *= shape[i];
            if (total > Array.MaxLength)
                throw new InvalidDataException($"'{path}' declares more elements ({string.Join("×", shape[..(i + 1)])}…) than one array can hold ({Array.MaxLength:N0}); the header is corrupt.");
        }
        var headerBytes = 4 + 4 * rank;
        // A raw file's length is known: a corrupt header that declares gigabytes fails here, before allocating them.
        if (!gzip && file.Length < headerBytes + total)
            throw Truncated(path, shape, headerBytes, total, file.Length - headerBytes, gzip);
        var data = destination(shape);
        var read = ReadFully(stream, data, path, headerBytes);
        if (read != total)
            throw Truncated(path, shape, headerBytes, total, read, gzip);
        return shape;
    }

    private static InvalidDataException Truncated(string path, long[] shape, int headerBytes, long total, long read, bool gzip) =>
        new($"'{path}' is truncated: its header declares shape {string.Join("×", shape)}, so {headerBytes + total:N0} bytes " +
            $"({headerBytes} header + {total:N0} data){(gzip ? " after decompression" : "")}, but it holds only {headerBytes + read:N0}. Download the file again.");

    /// <summary>Reads until the buffer is full or the stream ends; turns gzip corruption into a message that names the file.</summary>
    private static int ReadFully(Stream stream, Span<byte> buffer, string path, long offset)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = stream.Read(buffer[total..]);
                if (n == 0)
                    break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is a corrupt gzip file: decompression failed near decompressed byte {offset + total:N0} ({e.Message}). Download the file again.", e);
        }
        return total;
    }
}
