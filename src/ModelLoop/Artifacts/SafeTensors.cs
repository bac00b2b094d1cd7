using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Artifacts;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// <c>{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }</c>, then the
/// raw little-endian tensor bytes. Hand-written because no package on our NuGet mirror implements it; the
/// format is data only (no pickles), so reading it can never execute code.
/// </summary>
public static class SafeTensors
{
    /// <summary>Headers larger than this are refused (the reference implementation's limit is 100 MB).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2),
        [ScalarType.Int8] = ("I8", 1),
        [ScalarType.Byte] = ("U8", 1),
        [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>The safetensors dtype name of a TorchSharp scalar type ("F32", "I64", …).</summary>
    public static string DTypeName(ScalarType type) =>
        DTypes.TryGetValue(type, out var d) ? d.Name : throw new NotSupportedException($"safetensors has no dtype for {type}; supported: {string.Join(", ", DTypes.Keys)}.");

    /// <summary>Serializes tensors (copied to the CPU, contiguous) in the given order, with optional string metadata.</summary>
    public static byte[] Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == "__metadata__" || header.ContainsKey(name))
                throw new ArgumentException($"Tensor name '{name}' is reserved or repeated; every tensor needs a unique name other than __metadata__.", nameof(tensors));
            using var cpu = tensor.detach().cpu().contiguous();
            var bytes = cpu.bytes.ToArray();
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("safetensors stores little-endian bytes; this machine is big-endian.");
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(cpu.dtype),
                ["shape"] = new JsonArray(cpu.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The header is padded with spaces to a multiple of 8 so the data that follows is aligned.
        var padded = (json.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        result.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        var position = 8 + padded;
        foreach (var blob in blobs)
        {
            blob.CopyTo(result, position);
            position += blob.Length;
        }
        return result;
    }

    /// <summary>
    /// Parses a safetensors file's bytes into CPU tensors (the caller owns them) and its metadata. Every
    /// offset, shape and dtype is checked against the buffer; <paramref name="source"/> names the file in errors.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Deserialize(ReadOnlySpan<byte> bytes, string source = "safetensors")
    {
        if (bytes.Length < 8)
            throw new InvalidDataException($"{source} is {bytes.Length} bytes long; a safetensors file starts with an 8-byte header length. The file is truncated: restore it from the original artifact.");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw new InvalidDataException($"{source} declares a {headerLength}-byte header but holds {bytes.Length - 8} bytes after the length field (limit {MaxHeaderBytes}). The file is truncated or not safetensors.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.Slice(8, (int)headerLength)) as JsonObject
                ?? throw new InvalidDataException($"{source}: the safetensors header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the safetensors header is not valid JSON ({e.Message}).", e);
        }
        var data = bytes[(8 + (int)headerLength)..];
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in node as JsonObject ?? [])
                        metadata[key] = value?.GetValue<string>() ?? "";
                    continue;
                }
                tensors[name] = ReadTensor(name, node as JsonObject, data, source);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            // A header value of the wrong JSON type, or sizes that overflow: corrupt, like any other mismatch.
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            throw new InvalidDataException($"{source}: the safetensors header is malformed ({e.Message}). The file is corrupt or not safetensors.", e);
        }
        catch
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    private static Tensor ReadTensor(string name, JsonObject? entry, ReadOnlySpan<byte> data, string source)
    {
        string Bad(string what) => $"{source}: tensor '{name}' {what}. The file is corrupt or was not written as safetensors.";
        if (entry is null || entry["dtype"] is not JsonValue dtypeNode || entry["shape"] is not JsonArray shapeNode || entry["data_offsets"] is not JsonArray offsets || offsets.Count != 2)
            throw new InvalidDataException(Bad("lacks dtype, shape or data_offsets [begin, end]"));
        var dtypeName = dtypeNode.GetValue<string>();
        var (type, size) = DTypes.Where(p => p.Value.Name == dtypeName).Select(p => (p.Key, p.Value.Size)).FirstOrDefault((ScalarType.Float32, 0));
        if (size == 0)
            throw new InvalidDataException(Bad($"has dtype '{dtypeName}', which ModelLoop does not read (expected one of {string.Join(", ", DTypes.Values.Select(d => d.Name))})"));
        var shape = shapeNode.Select(d => d!.GetValue<long>()).ToArray();
        if (shape.Any(d => d < 0))
            throw new InvalidDataException(Bad($"has a negative dimension in shape [{string.Join(", ", shape)}]"));
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
        var elements = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (begin < 0 || end < begin || end > data.Length || end - begin != checked(elements * size))
            throw new InvalidDataException(Bad($"has data_offsets [{begin}, {end}] but shape [{string.Join(", ", shape)}] of {dtypeName} needs {elements * size} bytes within {data.Length}"));
        var tensor = empty(shape, type);
        data.Slice((int)begin, (int)(end - begin)).CopyTo(tensor.bytes);
        return tensor;
    }
}
