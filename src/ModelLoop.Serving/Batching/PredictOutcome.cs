namespace ModelLoop.Serving.Batching;

/// <summary>
/// What one request got back from its model: outputs (count × output elements, flattened), its share of the compute,
/// and, when asked for, its items' penultimate-layer embeddings (count × <see cref="EmbeddingWidth"/>, flattened).
/// </summary>
internal sealed record PredictOutcome(string Version, float[] Outputs, int BatchItems, double ComputeMilliseconds)
{
    public float[]? Embeddings { get; init; }
    public int EmbeddingWidth { get; init; }
}

/// <summary>Why a request was not queued.</summary>
internal enum EnqueueResult
{
    Accepted,
    /// <summary>The queue is at its bound: shed the request (429 + Retry-After).</summary>
    Full,
    /// <summary>The runner is draining (its version was replaced): resolve again and retry.</summary>
    Closed,
}
