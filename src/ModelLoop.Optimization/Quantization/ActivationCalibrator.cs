using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace ModelLoop.Optimization.Quantization;

/// <summary>
/// Static quantization's calibration: the fp32 model runs in ONNX Runtime on calibration batches with every float
/// intermediate tensor made a graph output, and each tensor's range is collected (min/max, or percentiles from a
/// histogram filled in a second pass over the same batches).
/// </summary>
internal static class ActivationCalibrator
{
    /// <summary>Histogram bins per tensor for <see cref="CalibrationMethod.Percentile"/>.</summary>
    private const int Bins = 4096;

    /// <param name="model">The fp32 model (single input).</param>
    /// <param name="batches">Input batches, each shaped as the model's input with the batch first.</param>
    /// <returns>Tensor name → range, for the graph input and every float node output.</returns>
    public static Dictionary<string, ActivationRange> Collect(ModelProto model, IReadOnlyList<DenseTensor<float>> batches, CalibrationMethod method, double percentile)
    {
        if (batches.Count == 0)
            throw new ArgumentException("Calibration needs at least one batch of inputs; received none. Pass calibration samples (QuantizationOptions.CalibrationSamples).", nameof(batches));
        var exposed = model.Clone();
        var graph = exposed.Graph;
        var inputName = SingleInput(graph);
        var floats = FloatTensors(graph);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in floats.Where(n => !outputs.Contains(n) && n != inputName))
            graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(exposed.ToByteArray(), options);
        var names = session.OutputMetadata.Keys.Where(floats.Contains).ToArray();

        var ranges = new Dictionary<string, ActivationRange>(StringComparer.Ordinal);
        void Observe(string name, ReadOnlySpan<float> values)
        {
            var (min, max) = (float.PositiveInfinity, float.NegativeInfinity);
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            ranges[name] = ranges.TryGetValue(name, out var r) ? new ActivationRange(Math.Min(r.Min, min), Math.Max(r.Max, max)) : new ActivationRange(min, max);
        }
        ForEachBatch(session, inputName, names, batches, Observe);
        if (method == CalibrationMethod.MinMax)
            return ranges;

        // Second pass: a histogram over each tensor's [min, max], from which the percentiles are read.
        var histograms = ranges.ToDictionary(p => p.Key, _ => new long[Bins], StringComparer.Ordinal);
        ForEachBatch(session, inputName, names, batches, (name, values) =>
        {
            var (range, bins) = (ranges[name], histograms[name]);
            var width = (range.Max - range.Min) / Bins;
            foreach (var v in values)
                bins[width > 0 ? Math.Clamp((int)((v - range.Min) / width), 0, Bins - 1) : 0]++;
        });
        return ranges.ToDictionary(p => p.Key, p => Percentiles(p.Value, histograms[p.Key], percentile), StringComparer.Ordinal);
    }

    /// <summary>The model's one input; calibration feeds a single tensor.</summary>
    internal static string SingleInput(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        return inputs.Length == 1 ? inputs[0].Name
            : throw new ArgumentException($"Static quantization calibrates models with one input; this graph has {inputs.Length}: {string.Join(", ", inputs.Select(i => i.Name))}. Use Mode = Dynamic.");
    }

    /// <summary>
    /// Names of the float tensors of the graph: the float inputs and every node output whose type follows from its
    /// inputs (the same as the first input, except for the few ops that produce another type), since calibration
    /// must declare each exposed output's element type and ONNX Runtime refuses a wrong one.
    /// </summary>
    internal static HashSet<string> FloatTensors(GraphProto graph)
    {
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
            types[input.Name] = input.Type?.TensorType?.ElemType ?? 0;
        foreach (var initializer in graph.Initializer)
            types[initializer.Name] = initializer.DataType;
        foreach (var node in graph.Node)
        {
            int type = node.OpType switch
            {
                "Shape" or "Size" or "ArgMax" or "ArgMin" or "NonZero" => (int)DataType.Int64,
                "Cast" => (int)GraphEdits.Int(node, "to", 0),
                "Equal" or "Greater" or "Less" or "Not" or "And" or "Or" => (int)DataType.Bool,
                _ => node.Input.Count > 0 && types.TryGetValue(node.Input[0], out var t) ? t : 0,
            };
            foreach (var output in node.Output.Where(o => o.Length > 0))
                types[output] = type;
        }
        return types.Where(p => p.Value == (int)DataType.Float && !graph.Initializer.Any(i => i.Name == p.Key)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    private delegate void Observer(string name, ReadOnlySpan<float> values);

    private static void ForEachBatch(InferenceSession session, string inputName, string[] names, IReadOnlyList<DenseTensor<float>> batches, Observer observe)
    {
        foreach (var batch in batches)
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, batch)], names);
            observe(inputName, batch.Buffer.Span);
            foreach (var result in results)
                observe(result.Name, ((DenseTensor<float>)result.AsTensor<float>()).Buffer.Span);
        }
    }

    private static ActivationRange Percentiles(ActivationRange range, long[] bins, double percentile)
    {
        var total = bins.Sum();
        var width = (range.Max - range.Min) / Bins;
        if (total == 0 || width <= 0)
            return range;
        double Edge(double share, bool upper)
        {
            long seen = 0;
            for (var i = 0; i < Bins; i++)
            {
                seen += bins[i];
                if (seen >= share * total)
                    return range.Min + (upper ? i + 1 : i) * width;
            }
            return range.Max;
        }
        return new ActivationRange((float)Edge(1 - percentile / 100, upper: false), (float)Edge(percentile / 100, upper: true));
    }
}
