using ModelLoop.Modeling;
using ModelLoop.Optimization.Onnx;

namespace ModelLoop.Serving.Batching;

/// <summary>
/// An ONNX graph in an ONNX Runtime session (<see cref="OnnxModel"/>): ONNX packages (e.g. int8), or TorchSharp
/// packages exported at load when the server runs everything through ONNX Runtime. Embeddings come from the graph's
/// <see cref="EmbeddingOutput"/> output when it has one (exports made by the server do); without it the prediction log
/// records items without embeddings (their other monitored features are kept).
/// </summary>
internal sealed class OnnxBackend : InferenceBackend
{
    /// <summary>The graph output holding the penultimate representation (N, D), as OnnxExportOptions.EmbeddingOutputName names it.</summary>
    public const string EmbeddingOutput = OnnxModel.EmbeddingOutput;

    private readonly OnnxModel _session;
    private readonly string[]? _withEmbedding;

    /// <param name="onnx">The graph: input (N, ...<paramref name="inputShape"/>), float32 or int64, output (N, ...).</param>
    /// <param name="threads">ONNX Runtime intra-op threads; null lets it choose.</param>
    /// <param name="vocabularySize">For token-id inputs, the vocabulary size ids must be below (the model spec's); null when unknown.</param>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load the graph, or its input is not the declared one.</exception>
    public OnnxBackend(byte[] onnx, Shape inputShape, InputKind inputKind, Shape outputShape, int? threads, string source, int? vocabularySize = null)
    {
        VocabularySize = inputKind == InputKind.TokenIds ? vocabularySize : null;
        try
        {
            _session = new OnnxModel(onnx, new OnnxModelOptions { IntraOpThreads = threads ?? 0 });
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        if (_session.TakesTokenIds != (inputKind == InputKind.TokenIds) || !_session.InputShape.SequenceEqual(inputShape.Dims))
        {
            _session.Dispose();
            throw new InvalidDataException($"{source}: the ONNX graph takes ({string.Join(", ", _session.InputShape)}) {(_session.TakesTokenIds ? "int64" : "float32")} items, " +
                $"but model.json declares {inputShape} {inputKind}. Export the graph from the model the package describes.");
        }
        if (_session.OutputNames.Contains(EmbeddingOutput))
            _withEmbedding = [_session.OutputName, EmbeddingOutput];
        InputShape = inputShape;
        InputKind = inputKind;
        OutputShape = outputShape;
    }

    public override string Name => "onnx";
    public override Shape InputShape { get; }
    public override InputKind InputKind { get; }
    public override Shape OutputShape { get; }
    public override int? VocabularySize { get; }

    public override BatchOutput Forward(float[] values, int count, bool embeddings)
    {
        long[] shape = InputShape.WithBatch(count);
        var ids = InputKind == InputKind.TokenIds ? Array.ConvertAll(values, v => (long)v) : null;
        if (!embeddings || _withEmbedding is null)
            return new BatchOutput(ids is null ? _session.Run(values, shape) : _session.Run(ids, shape));
        var outputs = ids is null ? _session.Run(values, shape, _withEmbedding) : _session.Run(ids, shape, _withEmbedding);
        return new BatchOutput(outputs[0], outputs[1], outputs[1].Length / count); // embedding (count, width)
    }

    public override void Dispose() => _session.Dispose();
}
