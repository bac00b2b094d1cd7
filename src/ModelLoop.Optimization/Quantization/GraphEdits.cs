using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// The small vocabulary the quantizers rewrite graphs with: read a float initializer (raw_data or float_data), make
/// int8/uint8/int32/float initializers (always raw_data, little-endian as onnx.proto specifies), make nodes and
/// attributes, and read a node's int/float attributes. Written on the generated onnx.proto classes, not by hand.
/// </summary>
internal static class GraphEdits
{
    /// <summary>A float initializer's values in row-major order.</summary>
    /// <exception cref="InvalidDataException">The tensor is not float32 or its data does not match its dims.</exception>
    public static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataType != (int)DataType.Float)
            throw new InvalidDataException($"Initializer '{tensor.Name}' has ONNX data type {tensor.DataType}; expected FLOAT (1).");
        var count = tensor.Dims.Aggregate(1L, (a, b) => a * b);
        float[] values = tensor.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : tensor.FloatData.ToArray();
        if (values.Length != count)
            throw new InvalidDataException($"Initializer '{tensor.Name}' holds {values.Length} values but its dims [{string.Join(", ", tensor.Dims)}] need {count}.");
        return values;
    }

    public static TensorProto Floats(string name, float[] values, params long[] dims) => Raw(name, DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static TensorProto Int8(string name, sbyte[] values, params long[] dims) => Raw(name, DataType.Int8, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static TensorProto UInt8(string name, byte[] values, params long[] dims) => Raw(name, DataType.Uint8, values, dims);

    public static TensorProto Int32(string name, int[] values, params long[] dims) => Raw(name, DataType.Int32, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static NodeProto Node(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>The node's integer attribute, or <paramref name="fallback"/> (the operator's default) when absent.</summary>
    public static long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    /// <summary>The node's float attribute, or <paramref name="fallback"/> (the operator's default) when absent.</summary>
    public static float Float(NodeProto node, string name, float fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    /// <summary>A name not used by any tensor or node of the graph yet: <paramref name="stem"/>, else stem_2, stem_3…</summary>
    public static string Fresh(HashSet<string> used, string stem)
    {
        var name = stem;
        for (var i = 2; !used.Add(name); i++)
            name = $"{stem}_{i}";
        return name;
    }

    /// <summary>Every tensor and node name in the graph, for <see cref="Fresh"/>.</summary>
    public static HashSet<string> Names(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Output.Select(o => o.Name));
        names.UnionWith(graph.Initializer.Select(i => i.Name));
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Input);
            names.UnionWith(node.Output);
            names.Add(node.Name);
        }
        names.Remove("");
        return names;
    }

    private static TensorProto Raw(string name, DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
