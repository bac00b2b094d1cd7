using ModelLoop.Modeling;

namespace ModelLoop.Serving.Batching;

/// <summary>
/// The forward pass of one batch for a served version — TorchSharp (<see cref="TorchSharpBackend"/>) or ONNX Runtime
/// (<see cref="OnnxBackend"/>). Everything around it (queueing, dynamic batching, metering, the prediction log, hot
/// reload, the responses) is the same for both; only <see cref="ModelRunner"/>'s worker thread calls it.
/// </summary>
internal abstract class InferenceBackend : IDisposable
{
    /// <summary>"torchsharp" or "onnx", for logs.</summary>
    public abstract string Name { get; }

    /// <summary>One item's input shape and kind, and one item's output shape.</summary>
    public abstract Shape InputShape { get; }
    public abstract InputKind InputKind { get; }
    public abstract Shape OutputShape { get; }

    /// <summary>For token-id inputs, the vocabulary size every id must be below (the input's Embedding); null when unknown or not token ids.</summary>
    public virtual int? VocabularySize => null;

    /// <summary>Called once on the worker thread before its first batch, with the server's libtorch intra-op threads (null: libtorch's default).</summary>
    public virtual void OnWorkerStart(int? torchThreads) { }

    /// <summary>
    /// Runs <paramref name="count"/> items (flattened inputs; token ids arrive as floats) and returns their outputs,
    /// flattened; with <paramref name="embeddings"/>, also each item's penultimate-layer embedding where the backend has it.
    /// </summary>
    public abstract BatchOutput Forward(float[] values, int count, bool embeddings);

    public abstract void Dispose();
}

/// <summary>A batch's outputs (count × output elements) and, when asked and available, its embeddings (count × width).</summary>
internal readonly record struct BatchOutput(float[] Outputs, float[]? Embeddings = null, int EmbeddingWidth = 0);
