using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// Reads IDX files (the MNIST family's format: a 4-byte big-endian magic 0x0000TTDD — element type TT,
/// DD dimensions — then DD big-endian int32 sizes, then the data), raw or gzip-compressed (detected by
/// the 1F 8B magic, not the file name). Only unsigned bytes (type 0x08) are supported: every published
/// MNIST-family set uses them.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads a whole file into a uint8 tensor of the shape its header declares.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, unsupported type, or a truncated file; the message names the file.</exception>
    public static Tensor ReadTensor(string path)
    {
        var (shape, data) = Read(path);
        var tensor = empty(shape, ScalarType.Byte);
        tensor.bytes = data;
        return tensor;
    }

    /// <summary>The shape the header declares and the raw bytes of the data.</summary>
    public static (long[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;

        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(stream, magic) != 4)
            throw new InvalidDataException($"'{path}' is too short for an IDX header: expected at least 4 bytes.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"'{path}' is not an IDX file: its first bytes are {magic[0]:X2} {magic[1]:X2}, expected 00 00 (then the type and dimension count).");
        if (magic[2] != UnsignedByte)
            throw new InvalidDataException($"'{path}' holds IDX element type 0x{magic[2]:X2}; only 0x08 (unsigned byte), used by the MNIST family, is supported.");
        var rank = magic[3];
        if (rank is 0 or > 8)
            throw new InvalidDataException($"'{path}' declares {rank} dimensions; expected 1 to 8.");

        var shape = new long[rank];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (var i = 0; i < rank; i++)
        {
            if (ReadFully(stream, size) != 4)
                throw new InvalidDataException($"'{path}' ends inside its header (at byte {4 + 4 * i}); the file is truncated.");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(size);
            if (shape[i] < 0)
                throw new InvalidDataException($"'{path}' declares a negative size ({shape[i]}) for dimension {i}; the file is corrupt.");
            total *= shape[i];
        }
        if (total > Array.MaxLength)
            throw new InvalidDataException($"'{path}' declares {total:N0} elements, more than one array can hold; the header is corrupt.");
        var data = new byte[total];
        var read = ReadFully(stream, data);
        if (read != total)
            throw new InvalidDataException($"'{path}' is truncated: its header ({string.Join("×", shape)}) declares {total:N0} data bytes but only {read:N0} follow.");
        return (shape, data);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}
