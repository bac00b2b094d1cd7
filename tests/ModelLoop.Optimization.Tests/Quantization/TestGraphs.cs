using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelLoop.Optimization.Quantization;
using Onnx;

namespace ModelLoop.Optimization.Tests.Quantization;

/// <summary>
/// Small fp32 graphs written with the generated onnx.proto classes, shaped like the exporter's: an MLP
/// (Gemm with transB = 1 → Relu → Gemm) and a CNN (Conv → Relu → MaxPool → Flatten → Gemm → Relu → Gemm), with seeded
/// random weights, plus "structured" inputs: noisy copies of one prototype per class, and a head whose rows point at
/// each class's hidden features, so the fp32 model separates the classes with a margin a correct int8 model keeps.
/// </summary>
internal static class TestGraphs
{
    public const int Classes = 10;

    public static ModelProto Mlp(Random random, int inputs = 64, int hidden = 48, float[]? head = null)
    {
        var b = new Builder("mlp", [-1, inputs]);
        var h = b.Relu(b.Gemm("x", "fc1", RandomWeights(random, hidden, inputs), RandomWeights(random, hidden, 1, 0.1f)));
        return b.Finish(head is null ? h : b.Gemm(h, "fc2", head, new float[Classes]));
    }

    public static ModelProto Cnn(Random random, float[]? head = null, int channels = 8, int hidden = 32, int size = 12)
    {
        var b = new Builder("cnn", [-1, 1, size, size]);
        var pooledSide = (size - 2) / 2;
        var conv = b.Relu(b.Conv("x", "conv", RandomWeights(random, channels, 1, 3, 3), RandomWeights(random, channels, 1, 0.1f), channels, 1));
        var pooled = b.Op("MaxPool", conv, b.Ints("kernel_shape", 2, 2), b.Ints("strides", 2, 2));
        var flat = b.Op("Flatten", pooled, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var h = b.Relu(b.Gemm(flat, "fc1", RandomWeights(random, hidden, channels * pooledSide * pooledSide), RandomWeights(random, hidden, 1, 0.1f)));
        return b.Finish(head is null ? h : b.Gemm(h, "fc2", head, new float[Classes]));
    }

    /// <summary>(N, time, features) → LSTM(hidden) → last hidden state (N, hidden) → optional Gemm head.</summary>
    public static ModelProto Lstm(Random random, int time = 5, int features = 6, int hidden = 16, float[]? head = null)
    {
        var b = new Builder("lstm", [-1, time, features]);
        var timeMajor = b.Op("Transpose", "x", b.Ints("perm", 1, 0, 2));
        var state = b.LstmLastState(timeMajor, "lstm", RandomWeights(random, 4 * hidden, features), RandomWeights(random, 4 * hidden, hidden),
            RandomWeights(random, 1, 8 * hidden, 0.1f), hidden);
        var batchMajor = b.Op("Transpose", state, b.Ints("perm", 1, 0, 2));
        var h = b.Op("Flatten", batchMajor, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        return b.Finish(head is null ? h : b.Gemm(h, "fc", head, new float[Classes]));
    }

    /// <summary>A head (Classes, hidden) whose row c is class c's centred mean hidden feature, computed by running the trunk in ORT.</summary>
    public static float[] HeadFor(ModelProto trunk, float[][] prototypes, long[] sampleShape)
    {
        var features = prototypes.Select(p => Run(trunk, Batch([p], sampleShape))).ToArray();
        var width = features[0].Length;
        var mean = Enumerable.Range(0, width).Select(j => features.Average(f => f[j])).ToArray();
        return features.SelectMany(f => f.Select((v, j) => v - mean[j])).ToArray();
    }

    /// <summary>Puts a BatchNormalization with random statistics between the CNN's Conv and its Relu.</summary>
    public static void InsertBatchNorm(ModelProto model, Random random)
    {
        var graph = model.Graph;
        var conv = graph.Node.First(n => n.OpType == "Conv");
        var channels = graph.Initializer.First(i => i.Name == conv.Input[1]).Dims[0];
        string Param(string suffix, Func<float> value)
        {
            var t = new TensorProto { Name = "bn." + suffix, DataType = (int)TensorProto.Types.DataType.Float, Dims = { channels } };
            t.FloatData.AddRange(Enumerable.Range(0, (int)channels).Select(_ => value()));
            graph.Initializer.Add(t);
            return t.Name;
        }
        var bn = new NodeProto { OpType = "BatchNormalization", Name = "bn_node", Output = { "bn_out" } };
        bn.Input.AddRange([conv.Output[0], Param("scale", () => 0.5f + random.NextSingle()), Param("bias", () => random.NextSingle() - 0.5f),
            Param("mean", () => random.NextSingle() - 0.5f), Param("var", () => 0.5f + random.NextSingle())]);
        graph.Node.Single(n => n.Input.Contains(conv.Output[0])).Input[0] = "bn_out";
        graph.Node.Insert(graph.Node.IndexOf(conv) + 1, bn);
    }

    /// <summary>One random prototype per class in [0, 1].</summary>
    public static float[][] Prototypes(Random random, int size) =>
        Enumerable.Range(0, Classes).Select(_ => Enumerable.Range(0, size).Select(_ => random.NextSingle()).ToArray()).ToArray();

    /// <summary><paramref name="count"/> noisy samples of random classes: prototype + N(0, noise²).</summary>
    public static float[][] Samples(Random random, float[][] prototypes, int count, float noise = 0.15f) =>
        Enumerable.Range(0, count).Select(_ => prototypes[random.Next(Classes)].Select(v => v + noise * Gaussian(random)).ToArray()).ToArray();

    public static DenseTensor<float> Batch(IReadOnlyList<float[]> samples, long[] sampleShape)
    {
        var dims = new[] { samples.Count }.Concat(sampleShape.Select(d => (int)d)).ToArray();
        return new DenseTensor<float>(samples.SelectMany(s => s).ToArray(), dims);
    }

    /// <summary>The model's first output on <paramref name="input"/>, flattened.</summary>
    public static float[] Run(ModelProto model, DenseTensor<float> input) => Run(model.ToByteArray(), input);

    public static float[] Run(byte[] model, DenseTensor<float> input)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    /// <summary>The op types ONNX Runtime actually runs after all its graph optimizations (its fused kernels).</summary>
    public static string[] OptimizedOps(byte[] model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelloop-test-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = path })
            using (new InferenceSession(model, options))
            {
            }
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Select(n => n.OpType).ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static int[] Argmax(float[] outputs, int width) =>
        Enumerable.Range(0, outputs.Length / width).Select(r => Enumerable.Range(0, width).MaxBy(c => outputs[r * width + c])).ToArray();

    public static float[] RandomWeights(Random random, int rows, int cols, float scale = -1) => RandomWeights(random, [rows, cols], scale);

    public static float[] RandomWeights(Random random, int m, int c, int kh, int kw) => RandomWeights(random, [m, c, kh, kw], -1);

    private static float[] RandomWeights(Random random, int[] dims, float scale)
    {
        var count = dims.Aggregate(1, (a, b) => a * b);
        var fanIn = count / dims[0];
        var s = scale > 0 ? scale : MathF.Sqrt(2f / fanIn);
        return Enumerable.Range(0, count).Select(_ => s * Gaussian(random)).ToArray();
    }

    private static float Gaussian(Random random) =>
        MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle())) * MathF.Cos(2f * MathF.PI * random.NextSingle());

    /// <summary>Appends nodes and initializers; tensor names are returned so calls chain like layers.</summary>
    private sealed class Builder(string name, long[] inputShape)
    {
        private readonly GraphProto graph = new() { Name = name };
        private int count;

        public string Gemm(string input, string layer, float[] weight, float[] bias)
        {
            var outputs = bias.Length;
            AddInitializer(layer + ".weight", weight, outputs, weight.Length / outputs);
            AddInitializer(layer + ".bias", bias, outputs);
            return Add("Gemm", [input, layer + ".weight", layer + ".bias"], new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        }

        public string Conv(string input, string layer, float[] weight, float[] bias, int filters, int inChannels)
        {
            AddInitializer(layer + ".weight", weight, filters, inChannels, 3, 3);
            AddInitializer(layer + ".bias", bias, filters);
            return Add("Conv", [input, layer + ".weight", layer + ".bias"], Ints("kernel_shape", 3, 3));
        }

        public string Relu(string input) => Add("Relu", [input]);

        public string LstmLastState(string input, string layer, float[] w, float[] r, float[] bias, int hidden)
        {
            AddInitializer(layer + ".w", w, 1, 4 * hidden, w.Length / (4 * hidden));
            AddInitializer(layer + ".r", r, 1, 4 * hidden, hidden);
            AddInitializer(layer + ".b", bias, 1, 8 * hidden);
            var node = new NodeProto { OpType = "LSTM", Name = layer, Output = { layer + "_y", layer + "_h" } };
            node.Input.AddRange([input, layer + ".w", layer + ".r", layer + ".b"]);
            node.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = hidden });
            graph.Node.Add(node);
            return layer + "_h";
        }

        public string Op(string op, string input, params AttributeProto[] attributes) => Add(op, [input], attributes);

        public AttributeProto Ints(string attribute, params long[] values)
        {
            var a = new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        public ModelProto Finish(string output)
        {
            graph.Input.Add(Value("x", inputShape));
            graph.Output.Add(Value(output, [-1, -2]));
            var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "ModelLoop.Tests" };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            return model;
        }

        private string Add(string op, string[] inputs, params AttributeProto[] attributes)
        {
            var output = $"{op.ToLowerInvariant()}_{count++}";
            var node = new NodeProto { OpType = op, Name = output + "_node", Output = { output } };
            node.Input.AddRange(inputs);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return output;
        }

        private void AddInitializer(string tensor, float[] values, params long[] dims)
        {
            var t = new TensorProto { Name = tensor, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            t.FloatData.AddRange(values);
            graph.Initializer.Add(t);
        }

        private static ValueInfoProto Value(string tensor, long[] shape)
        {
            var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
            type.Shape = new TensorShapeProto();
            foreach (var d in shape)
                type.Shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = d == -1 ? "N" : "width" } : new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto { Name = tensor, Type = new TypeProto { TensorType = type } };
        }
    }
}
