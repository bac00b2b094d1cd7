using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data.Readers;

/// <summary>
/// Reads CIFAR-10/100 binary batch files: fixed-size records of label byte(s) then a 32×32 image as 1,024 red,
/// 1,024 green and 1,024 blue bytes (row-major), i.e. already channels-first. The whole file is converted with
/// tensor operations (no per-pixel managed code).
/// </summary>
public static class CifarReader
{
    private const int Side = 32;
    private const int PixelBytes = 3 * Side * Side;

    /// <summary>Reads and concatenates batch files: features float32 (N, 3, 32, 32) in [0, 1], labels int64 (N).</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file that is empty, not a whole number of records (truncated or the wrong variant), or holds a label out of range;
    /// the message names the file, the byte offset and what was expected.
    /// </exception>
    public static TensorDataset Read(IEnumerable<string> paths, CifarVariant variant = CifarVariant.Cifar10)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var parts = paths.Select(p => Read(p, variant)).ToList();
        if (parts.Count == 0)
            throw new ArgumentException("Pass at least one CIFAR batch file (e.g. data_batch_1.bin).", nameof(paths));
        if (parts.Count == 1)
            return parts[0];
        try
        {
            return new TensorDataset(cat(parts.Select(p => p.Features).ToArray(), 0), cat(parts.Select(p => p.Labels).ToArray(), 0));
        }
        finally
        {
            foreach (var part in parts)
                part.Dispose();
        }
    }

    /// <summary>Reads one batch file; see <see cref="Read(IEnumerable{string}, CifarVariant)"/>.</summary>
    public static TensorDataset Read(string path, CifarVariant variant = CifarVariant.Cifar10)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"CIFAR batch file '{path}' does not exist.", path);
        return Parse(File.ReadAllBytes(path), path, variant);
    }

    /// <summary>Parses the bytes of one batch file; <paramref name="name"/> is what error messages call it.</summary>
    public static TensorDataset Parse(byte[] bytes, string name, CifarVariant variant = CifarVariant.Cifar10)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var labelBytes = variant == CifarVariant.Cifar10 ? 1 : 2;
        var recordBytes = labelBytes + PixelBytes;
        if (bytes.Length == 0)
            throw new InvalidDataException($"'{name}' is empty; expected {variant} records of {recordBytes:N0} bytes each.");
        if (bytes.Length % recordBytes != 0)
            throw new InvalidDataException(
                $"'{name}' holds {bytes.Length:N0} bytes, not a whole number of {variant} records of {recordBytes:N0} bytes ({labelBytes} label + 3,072 pixels): " +
                $"the record at byte {bytes.Length / recordBytes * recordBytes:N0} is cut short. The file is truncated, or it is another variant ({(labelBytes == 1 ? "CIFAR-100 records are 3,074 bytes" : "CIFAR-10 records are 3,073 bytes")}).");
        var count = bytes.Length / recordBytes;
        var labelIndex = variant == CifarVariant.Cifar100Fine ? 1 : 0;
        var classes = variant switch { CifarVariant.Cifar10 => 10, CifarVariant.Cifar100Fine => 100, _ => 20 };
        for (var r = 0; r < count; r++)
        {
            var offset = (long)r * recordBytes + labelIndex;
            if (bytes[offset] >= classes)
                throw new InvalidDataException($"'{name}' record {r:N0} (byte {offset:N0}) has label {bytes[offset]}; {variant} labels are 0–{classes - 1}. The file is corrupt or another variant.");
        }
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var records = tensor(bytes, [count, recordBytes]);
        var labels = records[.., labelIndex].to(ScalarType.Int64);
        var features = records.narrow(1, labelBytes, PixelBytes).reshape(count, 3, Side, Side).to(ScalarType.Float32).div_(255f);
        return new TensorDataset(features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
