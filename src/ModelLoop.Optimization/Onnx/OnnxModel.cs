using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Onnx;

/// <summary>
/// An ONNX model loaded in an ONNX Runtime session: runs batches of float32 (or int64 token-id) inputs and
/// returns float32 outputs. The session is thread-safe; dispose the model to free it.
/// <code>
/// using var onnx = new OnnxModel(OnnxExporter.Export(model));
/// using var logits = onnx.Predict(images);   // (N, classes), as model.Predict(images)
/// </code>
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;

    /// <summary>Loads ONNX protobuf bytes (as <see cref="OnnxExporter.Export(Modeling.Model, OnnxExportOptions?)"/> writes them).</summary>
    /// <exception cref="ArgumentException">The bytes are not an ONNX model ONNX Runtime can load; the message says why.</exception>
    public OnnxModel(byte[] onnx, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        options ??= new OnnxModelOptions();
        if (options.IntraOpThreads < 0)
            throw new ArgumentException($"OnnxModelOptions.IntraOpThreads must be 0 (ONNX Runtime's choice) or more; received {options.IntraOpThreads}.", nameof(options));
        _sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.IntraOpThreads,
            ExecutionMode = options.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            _session = new InferenceSession(onnx, _sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            _sessionOptions.Dispose();
            throw new ArgumentException($"ONNX Runtime cannot load this model ({onnx.Length:N0} bytes): {e.Message} Pass the bytes of an .onnx file, e.g. from OnnxExporter.Export.", nameof(onnx), e);
        }
        // InputMetadata/OutputMetadata are dictionaries; InputNames/OutputNames keep the graph's order.
        InputName = _session.InputNames.Single();
        OutputName = _session.OutputNames[0];
        OutputNames = _session.OutputNames.ToArray();
        var input = new KeyValuePair<string, NodeMetadata>(InputName, _session.InputMetadata[InputName]);
        var output = new KeyValuePair<string, NodeMetadata>(OutputName, _session.OutputMetadata[OutputName]);
        TakesTokenIds = input.Value.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64;
        if (!TakesTokenIds && input.Value.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            throw new ArgumentException($"The ONNX model's input '{InputName}' is {input.Value.ElementDataType}; OnnxModel runs float32 or int64 inputs.", nameof(onnx));
        InputShape = input.Value.Dimensions.Skip(1).Select(d => (long)d).ToArray();
        OutputShape = output.Value.Dimensions.Skip(1).Select(d => (long)d).ToArray();
    }

    /// <summary>Loads an .onnx file.</summary>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null) =>
        File.Exists(path)
            ? new OnnxModel(File.ReadAllBytes(path), options)
            : throw new FileNotFoundException($"ONNX model file '{path}' does not exist. Write one with `modelloop export MODEL --format onnx`.", path);

    /// <summary>The graph input's name.</summary>
    public string InputName { get; }
    /// <summary>The graph output's name (the first output).</summary>
    public string OutputName { get; }
    /// <summary>Every graph output's name, in order (e.g. "output", then "embedding" when exported with one).</summary>
    public IReadOnlyList<string> OutputNames { get; }
    /// <summary>Whether the input is int64 token ids rather than float32 values.</summary>
    public bool TakesTokenIds { get; }
    /// <summary>One sample's input shape, without the batch dimension.</summary>
    public IReadOnlyList<long> InputShape { get; }
    /// <summary>One sample's output shape, without the batch dimension.</summary>
    public IReadOnlyList<long> OutputShape { get; }

    /// <summary>Runs one float32 batch of shape <paramref name="shape"/> (batch first) and returns the output values, row-major.</summary>
    public float[] Run(float[] input, long[] shape)
    {
        RequireKind(tokenIds: false);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        return Run(value);
    }

    /// <summary>Runs one int64 token-id batch of shape <paramref name="shape"/> (batch first) and returns the output values, row-major.</summary>
    public float[] Run(long[] input, long[] shape)
    {
        RequireKind(tokenIds: true);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        return Run(value);
    }

    /// <summary>Runs one float32 batch and returns the float32 outputs named in <paramref name="outputs"/> (see <see cref="OutputNames"/>), each row-major.</summary>
    public float[][] Run(float[] input, long[] shape, IReadOnlyList<string> outputs)
    {
        RequireKind(tokenIds: false);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        return Run(value, outputs);
    }

    /// <summary>Runs one int64 token-id batch and returns the float32 outputs named in <paramref name="outputs"/>, each row-major.</summary>
    public float[][] Run(long[] input, long[] shape, IReadOnlyList<string> outputs)
    {
        RequireKind(tokenIds: true);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        return Run(value, outputs);
    }

    /// <summary>
    /// Outputs for every input row, batch by batch, as a float32 CPU tensor (N, ...output shape) — the ONNX
    /// counterpart of <see cref="Modeling.Model.Predict"/>. Float inputs are cast to float32, token ids to int64.
    /// </summary>
    public Tensor Predict(Tensor inputs, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be positive; received {batchSize}.");
        var n = inputs.shape[0];
        var rows = new List<float[]>();
        for (long start = 0; start < n; start += batchSize)
        {
            var count = Math.Min(batchSize, n - start);
            using var batch = inputs.narrow(0, start, count).cpu();
            var shape = batch.shape;
            if (TakesTokenIds)
            {
                using var ids = batch.to_type(ScalarType.Int64).contiguous();
                rows.Add(Run(ids.data<long>().ToArray(), shape));
            }
            else
            {
                using var values = batch.to_type(ScalarType.Float32).contiguous();
                rows.Add(Run(values.data<float>().ToArray(), shape));
            }
        }
        var all = rows.SelectMany(r => r).ToArray();
        var perSample = n == 0 ? 0 : all.Length / n;
        long[] outputShape = OutputShape.All(d => d > 0) && OutputShape.Aggregate(1L, (a, b) => a * b) == perSample
            ? [n, .. OutputShape]
            : [n, perSample];
        return tensor(all, outputShape);
    }

    public void Dispose()
    {
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    private float[] Run(OrtValue input) => Run(input, [OutputName])[0];

    private float[][] Run(OrtValue input, IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (var name in outputs.Where(n => !OutputNames.Contains(n)))
            throw new ArgumentException($"The ONNX model has no output '{name}'; its outputs are: {string.Join(", ", OutputNames)}.", nameof(outputs));
        using var options = new RunOptions();
        using var results = _session.Run(options, [InputName], [input], outputs);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    private void RequireKind(bool tokenIds)
    {
        if (tokenIds != TakesTokenIds)
            throw new ArgumentException($"The ONNX model's input '{InputName}' takes {(TakesTokenIds ? "int64 token ids" : "float32 values")}; received {(tokenIds ? "int64 token ids" : "float32 values")}. Call the other Run overload.");
    }
}
