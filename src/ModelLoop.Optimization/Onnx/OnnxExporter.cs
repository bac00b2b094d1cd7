using Google.Protobuf;
using ModelLoop.IO;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using Onnx;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Onnx;

/// <summary>
/// Writes a model as an ONNX graph (opset 17) that ONNX Runtime runs with the same outputs as the TorchSharp
/// network in evaluation mode. It walks the layer descriptions of a <see cref="Sequential"/> or the nodes of a
/// <see cref="FunctionalModel"/> and takes the float32 weights from the network's state_dict:
/// <code>
/// byte[] onnx = OnnxExporter.Export(model);                       // input "input" (N, ...), output "output"
/// OnnxExporter.Export(model, "model.onnx", new OnnxExportOptions { DynamicBatch = false });
/// </code>
/// The graph is written with the message classes protoc generates from onnx.proto (Google.Protobuf).
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version 8: what opset 17 pairs with, and the newest Debian's onnx 1.12 checker accepts.</summary>
    private const long IrVersion = 8;

    /// <summary>The layer types the exporter translates; every other one is refused with a <see cref="NotSupportedException"/>.</summary>
    public static IReadOnlyList<Type> SupportedLayers => OnnxLayerEmitter.SupportedTypes;

    /// <summary>The model as ONNX protobuf bytes.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX translation; the message names it and lists the supported types.</exception>
    public static byte[] Export(Model model, OnnxExportOptions? options = null) => ExportProto(model, options).ToByteArray();

    /// <summary>Writes the model's ONNX graph to <paramref name="path"/> atomically and returns its size in bytes.</summary>
    public static long Export(Model model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = Export(model, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return bytes.Length;
    }

    /// <summary>The ONNX model as protobuf messages, for passes that rewrite the graph (int8 quantization).</summary>
    internal static ModelProto ExportProto(Model model, OnnxExportOptions? options = null, IEnumerable<Type>? supported = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        options.Validate();
        var state = model.Network.state_dict();
        var builder = new OnnxGraphBuilder(state);
        builder.Reserve(options.InputName);
        builder.Reserve(options.OutputName);
        var emitter = new OnnxLayerEmitter(builder, supported);
        var (output, head, headShape) = model switch
        {
            Sequential sequential => EmitSequential(sequential, emitter, options.InputName),
            FunctionalModel functional => EmitGraph(functional, builder, emitter, options.InputName),
            _ => throw new NotSupportedException($"The ONNX exporter writes Sequential and FunctionalModel models; received a {model.GetType().Name}."),
        };
        builder.Rename(output, options.OutputName);
        if (options.EmbeddingOutputName is { } embeddingName)
        {
            if (head is null)
                throw new NotSupportedException("OnnxExportOptions.EmbeddingOutputName needs a layer with parameters (the classifier head) to take its input as the embedding; this model has none.");
            builder.Reserve(embeddingName);
            var flat = builder.Node("Flatten", embeddingName + "/flatten", [head], OnnxGraphBuilder.Int("axis", 1)); // (N, D)
            builder.Rename(flat, embeddingName);
        }

        var graph = builder.Graph;
        graph.Name = model.GetType().Name;
        var inputType = model.InputKind == InputKind.TokenIds ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float;
        graph.Input.Add(Value(options.InputName, inputType, model.InputShape, options));
        graph.Output.Add(Value(options.OutputName, TensorProto.Types.DataType.Float, model.OutputShape, options));
        if (options.EmbeddingOutputName is { } embedding)
            graph.Output.Add(Value(embedding, TensorProto.Types.DataType.Float, new Shape(headShape!.Elements), options)); // second: "output" stays first
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = options.Producer,
            ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
            DocString = $"Exported by ModelLoop from a {model.GetType().Name} with {model.ParameterCount:N0} parameters.",
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        return proto;
    }

    // Returns the output value and the input value and shape of the last layer with parameters (the embedding's source).
    private static (string Output, string? Head, Shape? HeadShape) EmitSequential(Sequential model, OnnxLayerEmitter emitter, string input)
    {
        var value = input;
        var shape = model.InputShape;
        (string? Value, Shape? Shape) head = (null, null);
        foreach (var (layer, row) in model.Layers.Zip(model.LayerSummaries))
        {
            if (row.Parameters > 0)
                head = (value, shape);
            // The network is nn.Sequential((name, module)...), so each layer's parameters sit under its name.
            value = emitter.Emit(new LayerInput(layer, row.Name, row.Name, value, shape, row.OutputShape));
            shape = row.OutputShape;
        }
        return (value, head.Value, head.Shape);
    }

    private static (string Output, string? Head, Shape? HeadShape) EmitGraph(FunctionalModel model, OnnxGraphBuilder builder, OnnxLayerEmitter emitter, string input)
    {
        // values[0] is the model input, values[i + 1] node i's output; GraphModule registers each layer under its node name.
        var values = new List<string> { input };
        var shapes = new List<Shape> { model.InputShape };
        var index = new Dictionary<string, int>(StringComparer.Ordinal) { ["input"] = 0 };
        (string? Value, Shape? Shape) head = (null, null);
        foreach (var (node, row) in model.Graph.Zip(model.LayerSummaries))
        {
            var inputs = node.Inputs.Select(name => index[name]).ToArray();
            if (node.Layer is not null && row.Parameters > 0)
                head = (values[inputs[0]], shapes[inputs[0]]);
            var value = node switch
            {
                { Layer: { } layer } => emitter.Emit(new LayerInput(layer, node.Name, node.Name, values[inputs[0]], shapes[inputs[0]], row.OutputShape)),
                { Merge: Merge.Add } => inputs.Skip(1).Aggregate(values[inputs[0]], (sum, i) => builder.Node("Add", node.Name, [sum, values[i]])),
                { Merge: Merge.Multiply } => inputs.Skip(1).Aggregate(values[inputs[0]], (product, i) => builder.Node("Mul", node.Name, [product, values[i]])),
                // Joined along the first per-sample dimension: axis 1 with the batch in front.
                { Merge: Merge.Concatenate } => builder.Node("Concat", node.Name, inputs.Select(i => values[i]), OnnxGraphBuilder.Int("axis", 1)),
                _ => throw new NotSupportedException($"Graph node '{node.Name}' has neither a layer nor a merge the ONNX exporter knows."),
            };
            index[node.Name] = values.Count;
            values.Add(value);
            shapes.Add(row.OutputShape);
        }
        return (values[^1], head.Value, head.Shape);
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, Shape sample, OnnxExportOptions options)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(options.DynamicBatch
            ? new TensorShapeProto.Types.Dimension { DimParam = "N" }
            : new TensorShapeProto.Types.Dimension { DimValue = options.BatchSize });
        foreach (var dim in sample.Dims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
