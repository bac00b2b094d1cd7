using Onnx;
using static ModelLoop.Optimization.Quantization.GraphEdits;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// Dynamic int8 quantization of the Dense layers (Gemm, and MatMul by a constant) of an fp32 graph: the weight
/// becomes an int8 (K, N) matrix with one symmetric scale per output column, and the activation is quantized per
/// batch at run time:
/// <code>
/// DynamicQuantizeLinear(A) → A_q (uint8), a_scale, a_zero_point
/// MatMulInteger(A_q, W_q, a_zero_point, w_zero_point[N]) → int32 (M, N) → Cast(float) → Mul(a_scale · w_scale[N]) → Add(bias)
/// </code>
/// </summary>
/// <remarks>
/// Standard ONNX ops rather than the com.microsoft DynamicQuantizeMatMul: ONNX Runtime's level-2 transformers
/// (MatMulIntegerToFloat, then DynamicQuantizeMatMul fusion) turn exactly this pattern into that one contrib kernel,
/// so the speed is the same, and the file stays a standard ONNX model (except for LSTMs, see <see cref="QuantizeLstm"/>) that onnx.checker verifies op by op and other
/// runtimes load. uint8 activations (what DynamicQuantizeLinear produces) with int8 weights is ORT's U8S8 path,
/// the one its x86 kernels are built for (VNNI's vpdpbusd is u8 × s8). MatMulInteger takes a per-column
/// b_zero_point (1-D of N, all 0 here), which is what makes per-channel weights legal in it.
/// </remarks>
internal static class DynamicQuantizer
{
    public static ModelProto Quantize(ModelProto fp32, bool perChannel)
    {
        var model = fp32.Clone();
        var graph = model.Graph;
        var names = Names(graph);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var quantizedInputs = new Dictionary<string, (string Values, string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (node.OpType == "LSTM" && QuantizeLstm(graph, names, node, initializers, perChannel) is { } lstm)
            {
                nodes.Add(lstm);
                continue;
            }
            if (node.OpType is not ("Gemm" or "MatMul") || StaticQuantizer.WeightOf(node, initializers) is not { } at)
            {
                nodes.Add(node);
                continue;
            }
            var input = node.Input[0];
            var output = node.Output[0];
            if (!quantizedInputs.TryGetValue(input, out var a))
            {
                a = (Fresh(names, input + "_quantized"), Fresh(names, input + "_scale"), Fresh(names, input + "_zero_point"));
                quantizedInputs[input] = a;
                nodes.Add(Node("DynamicQuantizeLinear", Fresh(names, input + "_DynamicQuantizeLinear"), [input], [a.Values, a.Scale, a.ZeroPoint]));
            }

            // MatMulInteger multiplies (M, K) by (K, N): a Gemm weight stored (N, K) (transB = 1) is transposed first.
            var weight = initializers[node.Input[1]];
            var (k, n) = at.Axis == 0 ? (weight.Dims[1], weight.Dims[0]) : (weight.Dims[0], weight.Dims[1]);
            var values = ReadFloats(weight);
            if (at.Axis == 0)
                values = Transpose(values, (int)n, (int)k);
            var q = QuantizedWeight.Quantize(values, [k, n], axis: 1, perChannel);
            var stem = weight.Name;
            var scaleDims = perChannel ? new[] { n } : [];
            var wValues = Add(graph, Int8(Fresh(names, stem + "_quantized"), q.Values, k, n));
            var wScale = Add(graph, Floats(Fresh(names, stem + "_scale"), q.Scales, scaleDims));
            var wZero = Add(graph, Int8(Fresh(names, stem + "_zero_point"), new sbyte[q.Scales.Length], scaleDims));

            var integer = Fresh(names, output + "_MatMulInteger");
            var asFloat = Fresh(names, output + "_Cast");
            var scale = Fresh(names, output + "_scale");
            var hasBias = at.BiasInput > 0 && node.Input.Count > at.BiasInput && node.Input[at.BiasInput].Length > 0;
            var product = hasBias ? Fresh(names, output + "_unbiased") : output;
            nodes.Add(Node("MatMulInteger", Fresh(names, node.Name + "_MatMulInteger"), [a.Values, wValues, a.ZeroPoint, wZero], [integer]));
            nodes.Add(Node("Cast", Fresh(names, node.Name + "_Cast"), [integer], [asFloat], IntAttribute("to", (long)TensorProto.Types.DataType.Float)));
            nodes.Add(Node("Mul", Fresh(names, node.Name + "_scales"), [a.Scale, wScale], [scale]));
            nodes.Add(Node("Mul", Fresh(names, node.Name + "_rescale"), [asFloat, scale], [product]));
            if (hasBias)
                nodes.Add(Node("Add", Fresh(names, node.Name + "_bias"), [product, node.Input[at.BiasInput]], [output]));
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        StaticQuantizer.RemoveUnused(graph);
        if (nodes.Any(n => n.Domain == MicrosoftDomain) && !model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        return model;
    }

    /// <summary>ONNX Runtime's contrib operator domain.</summary>
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>
    /// An LSTM with constant W (dirs, 4H, F) and R (dirs, 4H, H) as ONNX Runtime's com.microsoft DynamicQuantizeLSTM:
    /// standard ONNX has no integer LSTM, and this contrib op runs the gate matmuls on int8 weights with each time step's
    /// input and hidden state quantized on the fly. It takes the weights transposed, (dirs, F, 4H) and (dirs, H, 4H),
    /// with one scale per direction and gate column (per channel) or per direction. Null when the weights are not constants.
    /// </summary>
    private static NodeProto? QuantizeLstm(GraphProto graph, HashSet<string> names, NodeProto node, Dictionary<string, TensorProto> initializers, bool perChannel)
    {
        if (node.Input.Count < 3 || !initializers.TryGetValue(node.Input[1], out var w) || !initializers.TryGetValue(node.Input[2], out var r)
            || w.DataType != (int)TensorProto.Types.DataType.Float || r.DataType != (int)TensorProto.Types.DataType.Float || w.Dims.Count != 3 || r.Dims.Count != 3)
            return null;
        (string Values, string Scale, string ZeroPoint) Quantize(TensorProto weight)
        {
            var (dirs, gates, width) = (weight.Dims[0], weight.Dims[1], weight.Dims[2]);
            var values = ReadFloats(weight);
            var transposed = new float[values.Length];
            for (var d = 0; d < dirs; d++)
                for (var g = 0; g < gates; g++)
                    for (var i = 0; i < width; i++)
                        transposed[(d * width + i) * gates + g] = values[(d * gates + g) * width + i];
            // Per channel: one scale per (direction, gate column); else one per direction, as the op requires.
            var perDirection = Enumerable.Range(0, (int)dirs).Select(d => QuantizedWeight.Quantize(
                transposed[(int)(d * width * gates)..(int)((d + 1) * width * gates)], [width, gates], axis: 1, perChannel)).ToArray();
            var scales = perDirection.SelectMany(q => q.Scales).ToArray();
            long[] scaleDims = perChannel ? [dirs, gates] : [dirs];
            var stem = weight.Name;
            return (Add(graph, Int8(Fresh(names, stem + "_quantized"), perDirection.SelectMany(q => q.Values).ToArray(), dirs, width, gates)),
                Add(graph, Floats(Fresh(names, stem + "_scale"), scales, scaleDims)),
                Add(graph, Int8(Fresh(names, stem + "_zero_point"), new sbyte[scales.Length], scaleDims)));
        }
        var qw = Quantize(w);
        var qr = Quantize(r);
        var inputs = node.Input.ToList();
        while (inputs.Count < 8)
            inputs.Add("");
        inputs[1] = qw.Values;
        inputs[2] = qr.Values;
        var quantized = Node("DynamicQuantizeLSTM", Fresh(names, node.Name + "_quantized"), inputs.Concat([qw.Scale, qw.ZeroPoint, qr.Scale, qr.ZeroPoint]), node.Output);
        quantized.Domain = MicrosoftDomain;
        quantized.Attribute.AddRange(node.Attribute);
        return quantized;
    }

    private static string Add(GraphProto graph, TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>(rows, cols) row-major → (cols, rows) row-major.</summary>
    private static float[] Transpose(float[] values, int rows, int cols)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                result[c * rows + r] = values[r * cols + c];
        return result;
    }
}
