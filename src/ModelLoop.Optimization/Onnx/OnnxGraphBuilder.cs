using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Onnx;

/// <summary>
/// Appends nodes and initializers to an ONNX graph with unique names, and turns the network's state_dict
/// tensors into float32 initializers. The exporter's layer emitters speak only to this class.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly IReadOnlyDictionary<string, Tensor> _state;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _weights = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(IReadOnlyDictionary<string, Tensor> state) => _state = state;

    public GraphProto Graph { get; } = new();

    /// <summary>Claims a name (the graph input's) so no node or initializer takes it.</summary>
    public void Reserve(string name) => _names.Add(name);

    /// <summary>Whether the network has a parameter or buffer under <paramref name="key"/>.</summary>
    public bool Has(string key) => _state.ContainsKey(key);

    /// <summary>The parameter or buffer <paramref name="key"/> (e.g. "dense_1.weight"); the error names the keys under its prefix.</summary>
    public Tensor Parameter(string key)
    {
        if (_state.TryGetValue(key, out var tensor))
            return tensor;
        var prefix = key.Contains('.') ? key[..key.LastIndexOf('.')] : key;
        var near = _state.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Take(8).ToArray();
        throw new InvalidOperationException($"The ONNX exporter looked for the parameter '{key}' in the network's state_dict and did not find it; " +
            $"keys under '{prefix}': [{string.Join(", ", near)}]. The layer's module layout and the exporter disagree: update the exporter for this layer.");
    }

    /// <summary>The state_dict tensor <paramref name="key"/> as an initializer (added once), named after the key.</summary>
    public string Weight(string key)
    {
        if (_weights.TryGetValue(key, out var name))
            return name;
        name = Initializer(key, Parameter(key));
        _weights[key] = name;
        return name;
    }

    /// <summary>A float32 initializer holding <paramref name="tensor"/> (any dtype, any device), under a unique name.</summary>
    public string Initializer(string name, Tensor tensor)
    {
        using var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return Initializer(name, values.data<float>().ToArray(), values.shape);
    }

    /// <summary>A float32 initializer of the given dims, stored as little-endian raw bytes as ONNX specifies.</summary>
    public string Initializer(string name, float[] values, long[] dims)
    {
        name = Unique(name);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        proto.Dims.AddRange(dims);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A 1-D int64 initializer (shapes, axes, split sizes).</summary>
    public string Int64s(string name, params long[] values)
    {
        name = Unique(name);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        proto.Dims.Add(values.Length);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A float32 scalar initializer (a 0-d tensor), for element-wise constants.</summary>
    public string Scalar(string name, float value) => Initializer(name, [value], []);

    /// <summary>Adds a node reading <paramref name="inputs"/> and returns its single output, named after the node.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeWithOutputs(opType, name, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs ("" inputs are ONNX's omitted optional inputs).</summary>
    public string[] NodeWithOutputs(string opType, string name, IEnumerable<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        name = Unique(name);
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? name : Unique($"{name}:{i}")).ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return names;
    }

    /// <summary>
    /// Gives <paramref name="value"/> the (reserved) graph-output name: renames the output of the node producing it,
    /// or adds an Identity when the value is the graph input or read by another node.
    /// </summary>
    public string Rename(string value, string name)
    {
        var producer = Graph.Node.LastOrDefault(n => n.Output.Contains(value));
        if (producer is null || Graph.Node.Any(n => n.Input.Contains(value)))
        {
            var identity = new NodeProto { OpType = "Identity", Name = Unique(name + "/identity") };
            identity.Input.Add(value);
            identity.Output.Add(name);
            Graph.Node.Add(identity);
            return name;
        }
        producer.Output[producer.Output.IndexOf(value)] = name;
        return name;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Unique(string name)
    {
        if (_names.Add(name))
            return name;
        for (var i = 2; ; i++)
        {
            if (_names.Add($"{name}_{i}"))
                return $"{name}_{i}";
        }
    }
}
