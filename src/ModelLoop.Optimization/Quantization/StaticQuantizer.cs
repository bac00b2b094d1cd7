using Onnx;
using static ModelLoop.Optimization.Quantization.GraphEdits;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// Static (QDQ) int8 quantization of an fp32 graph: int8 weights (symmetric, per output channel) behind
/// DequantizeLinear, int32 biases (scale = input scale × weight scale, as QLinearConv computes them), and a
/// QuantizeLinear → DequantizeLinear pair on every activation that a quantizable op reads, with uint8 asymmetric
/// parameters from calibration. ONNX Runtime's QDQ transformers then fuse DQ → Conv/Gemm/MatMul → Q into
/// QLinearConv / QGemm / QLinearMatMul, remove ReLUs whose Q starts at zero, and run MaxPool/Flatten/Reshape on
/// uint8. Only those ops are touched; everything else keeps its float inputs.
/// </summary>
/// <remarks>
/// uint8 asymmetric activations with int8 weights (U8S8) is what ORT's x86 int8 GEMM kernels take natively (with
/// VNNI, vpdpbusd multiplies u8 × s8; an int8 activation would first be shifted by 128), and an asymmetric range
/// spends all 256 levels on a ReLU output that a symmetric int8 range would halve.
/// </remarks>
internal static class StaticQuantizer
{
    /// <summary>Ops that run on uint8 unchanged, so their output shares their input's scale and zero point.</summary>
    private static readonly HashSet<string> PassThrough = ["MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze"];
    /// <summary>Ops with a quantized kernel whose output gets its own calibrated range.</summary>
    private static readonly HashSet<string> WithOwnRange = ["AveragePool", "GlobalAveragePool", "Add"];

    public static ModelProto Quantize(ModelProto fp32, IReadOnlyDictionary<string, ActivationRange> ranges, bool perChannel)
    {
        var model = fp32.Clone();
        var graph = model.Graph;
        var names = Names(graph);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var weighted = graph.Node.Select(n => (Node: n, Weight: WeightOf(n, initializers))).Where(p => p.Weight is not null)
            .ToDictionary(p => p.Node, p => p.Weight!.Value);

        // Which (node, input) positions read a quantized activation: decided from the outputs back, since a
        // pass-through or own-range op is worth quantizing only when what reads its output is quantized too.
        var consumers = new Dictionary<string, List<(NodeProto Node, int Input)>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            for (var i = 0; i < node.Input.Count; i++)
                (consumers.TryGetValue(node.Input[i], out var list) ? list : consumers[node.Input[i]] = []).Add((node, i));
        var active = new HashSet<(NodeProto, int)>();
        // A ReLU between an op and a quantized reader is looked through: ORT deletes a ReLU whose output is quantized
        // with zero point 0 (what a ReLU's range gives), so Add → ReLU → Q becomes QLinearAdd like Conv → ReLU → Q.
        var transparent = new HashSet<NodeProto>();
        bool OutputRead(NodeProto node) => node.Output.Count > 0 && consumers.TryGetValue(node.Output[0], out var list)
            && list.Any(c => active.Contains(c) || transparent.Contains(c.Node));
        foreach (var node in graph.Node.Reverse())
        {
            if (node.OpType == "Relu" && OutputRead(node))
                transparent.Add(node);
            else if (weighted.ContainsKey(node))
                active.Add((node, 0));
            else if (PassThrough.Contains(node.OpType) && OutputRead(node))
                active.Add((node, 0));
            else if (WithOwnRange.Contains(node.OpType) && OutputRead(node) && node.Input.All(i => !initializers.ContainsKey(i)))
                for (var i = 0; i < (node.OpType == "Add" ? 2 : 1); i++)
                    active.Add((node, i));
        }

        // Scale and zero point per quantized tensor, in graph order so a pass-through output inherits its input's.
        var parameters = new Dictionary<string, (float Scale, byte ZeroPoint)>(StringComparer.Ordinal);
        bool Assign(string tensor)
        {
            if (parameters.ContainsKey(tensor))
                return true;
            if (!ranges.TryGetValue(tensor, out var range))
                return false;
            parameters[tensor] = range.ToUInt8();
            return true;
        }
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
                if (active.Contains((node, i)) && !Assign(node.Input[i]))
                    active.Remove((node, i));
            if (PassThrough.Contains(node.OpType) && active.Contains((node, 0)))
                parameters[node.Output[0]] = parameters[node.Input[0]];
            else if (WithOwnRange.Contains(node.OpType) && active.Contains((node, 0)))
                Assign(node.Output[0]);
        }
        var quantized = parameters.Keys.Where(t => consumers.TryGetValue(t, out var list) && list.Any(active.Contains)).ToHashSet(StringComparer.Ordinal);

        var prologue = new List<NodeProto>();
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        List<NodeProto> QuantizeDequantize(string tensor)
        {
            var (scale, zeroPoint) = parameters[tensor];
            var scaleName = Fresh(names, tensor + "_scale");
            var zeroName = Fresh(names, tensor + "_zero_point");
            graph.Initializer.Add(Floats(scaleName, [scale]));
            graph.Initializer.Add(UInt8(zeroName, [zeroPoint]));
            var q = Fresh(names, tensor + "_quantized");
            dequantized[tensor] = Fresh(names, tensor + "_dequantized");
            return [Node("QuantizeLinear", Fresh(names, tensor + "_QuantizeLinear"), [tensor, scaleName, zeroName], [q]),
                Node("DequantizeLinear", Fresh(names, tensor + "_DequantizeLinear"), [q, scaleName, zeroName], [dequantized[tensor]])];
        }
        foreach (var input in graph.Input.Where(i => quantized.Contains(i.Name)))
            prologue.AddRange(QuantizeDequantize(input.Name));

        var body = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            var rewritten = node.Clone();
            for (var i = 0; i < node.Input.Count; i++)
                if (active.Contains((node, i)) && dequantized.TryGetValue(node.Input[i], out var replacement))
                    rewritten.Input[i] = replacement;
            if (weighted.TryGetValue(node, out var weight))
            {
                var inputScale = dequantized.ContainsKey(node.Input[0]) ? parameters[node.Input[0]].Scale : (float?)null;
                prologue.AddRange(QuantizeWeights(graph, names, rewritten, weight, initializers, perChannel, inputScale));
            }
            body.Add(rewritten);
            foreach (var output in node.Output.Where(quantized.Contains))
                body.AddRange(QuantizeDequantize(output));
        }
        graph.Node.Clear();
        graph.Node.AddRange(prologue.Concat(body));
        RemoveUnused(graph);
        return model;
    }

    /// <summary>Where a Conv/Gemm/MatMul keeps its float weight and bias, and the weight's output-channel axis; null when it is not quantizable.</summary>
    internal static (int BiasInput, int Axis)? WeightOf(NodeProto node, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        if (node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var weight) || weight.DataType != (int)TensorProto.Types.DataType.Float
            || initializers.ContainsKey(node.Input[0]))
            return null;
        return node.OpType switch
        {
            "Conv" when weight.Dims.Count >= 3 => (2, 0),
            // Gemm: Y = A·B' + C with B' = Bᵀ when transB; only the plain form (transA 0, alpha = beta = 1) maps to QGemm.
            "Gemm" when weight.Dims.Count == 2 && Int(node, "transA", 0) == 0 && Float(node, "alpha", 1f) == 1f && Float(node, "beta", 1f) == 1f
                => (2, Int(node, "transB", 0) == 1 ? 0 : 1),
            "MatMul" when weight.Dims.Count == 2 => (-1, 1),
            _ => null,
        };
    }

    /// <summary>Replaces the node's weight (and, when its input is quantized, its 1-D bias) by int8/int32 initializers behind DequantizeLinear.</summary>
    private static List<NodeProto> QuantizeWeights(GraphProto graph, HashSet<string> names, NodeProto node, (int BiasInput, int Axis) at,
        Dictionary<string, TensorProto> initializers, bool perChannel, float? inputScale)
    {
        var nodes = new List<NodeProto>();
        var weight = initializers[node.Input[1]];
        var q = QuantizedWeight.Quantize(ReadFloats(weight), weight.Dims.ToArray(), at.Axis, perChannel);
        var axis = IntAttribute("axis", at.Axis);
        var stem = weight.Name;
        string Add(TensorProto t) { graph.Initializer.Add(t); return t.Name; }
        var scale = Add(Floats(Fresh(names, stem + "_scale"), q.Scales, perChannel ? [q.Scales.Length] : []));
        var zero = Add(Int8(Fresh(names, stem + "_zero_point"), new sbyte[q.Scales.Length], perChannel ? [q.Scales.Length] : []));
        var values = Add(Int8(Fresh(names, stem + "_quantized"), q.Values, q.Dims));
        var output = Fresh(names, stem + "_dequantized");
        nodes.Add(Node("DequantizeLinear", Fresh(names, stem + "_DequantizeLinear"), [values, scale, zero], [output], axis));
        node.Input[1] = output;

        if (at.BiasInput < 0 || node.Input.Count <= at.BiasInput || inputScale is not { } sx
            || !initializers.TryGetValue(node.Input[at.BiasInput], out var bias) || bias.Dims.Count != 1 || bias.Dims[0] != weight.Dims[at.Axis])
            return nodes;
        // int32 bias with scale sx·sw[c] and zero point 0: the accumulator's own scale, so the fused kernel adds it as is.
        var biasValues = ReadFloats(bias);
        var biasScales = biasValues.Select((_, c) => sx * q.Scales[q.Scales.Length == 1 ? 0 : c]).ToArray();
        var biasInts = biasValues.Select((b, c) => (int)Math.Clamp(Math.Round((double)b / biasScales[c]), int.MinValue + 1, int.MaxValue)).ToArray();
        var biasStem = bias.Name;
        var biasScale = Add(Floats(Fresh(names, biasStem + "_scale"), biasScales, biasScales.Length));
        var biasZero = Add(Int32(Fresh(names, biasStem + "_zero_point"), new int[biasScales.Length], biasScales.Length));
        var biasQuantized = Add(Int32(Fresh(names, biasStem + "_quantized"), biasInts, biasInts.Length));
        var biasOutput = Fresh(names, biasStem + "_dequantized");
        nodes.Add(Node("DequantizeLinear", Fresh(names, biasStem + "_DequantizeLinear"), [biasQuantized, biasScale, biasZero], [biasOutput], IntAttribute("axis", 0)));
        node.Input[at.BiasInput] = biasOutput;
        return nodes;
    }

    /// <summary>Drops the float initializers no node reads any more (the weights that were replaced), and their graph inputs.</summary>
    internal static void RemoveUnused(GraphProto graph)
    {
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in graph.Initializer.Where(i => !read.Contains(i.Name)).ToArray())
        {
            graph.Initializer.Remove(unused);
            if (graph.Input.FirstOrDefault(i => i.Name == unused.Name) is { } input)
                graph.Input.Remove(input);
        }
    }
}
