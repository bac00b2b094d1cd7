using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Privacy.PerSample;

/// <summary>
/// Embeddings: token ids a (B, T) pick rows of W (V, D), so ∇W_i adds the backprop g_t (D) into row a_t. Materialised
/// that is (B, V, D) — large for big vocabularies — so the norm is ghosted: ‖∇W_i‖² = Σ_{t,s} [a_t = a_s] (g_t·g_s),
/// (B, T, T), and the clipped sum is one index_add over all B·T tokens.
/// </summary>
internal sealed class EmbeddingPerSample : PerSampleLayer
{
    private readonly Embedding _embedding;

    public EmbeddingPerSample(string name, Embedding embedding) : base(name, embedding)
    {
        _embedding = embedding;
        Parameters = Trainable(name, ("weight", embedding.weight));
    }

    public override IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    public override Tensor[] PerSampleGradients(Tensor activation, Tensor backprop)
    {
        if (Parameters.Count == 0) return [];
        var (ids, g) = Flatten(activation, backprop); // (B, T), (B, T, D)
        var w = _embedding.weight!;
        var perSample = zeros([ids.shape[0], w.shape[0], w.shape[1]], dtype: g.dtype, device: g.device);
        return [perSample.scatter_add(1, ids.unsqueeze(2).expand(-1, -1, w.shape[1]), g)];
    }

    public override Tensor NormsSquared(Tensor activation, Tensor backprop, out Tensor[]? perSample)
    {
        perSample = null;
        var (ids, g) = Flatten(activation, backprop);
        if (Parameters.Count == 0) return zeros(ids.shape[0], dtype: g.dtype, device: g.device);
        var same = ids.unsqueeze(2).eq(ids.unsqueeze(1)).to(g.dtype); // (B, T, T)
        return (same * g.bmm(g.transpose(1, 2))).sum([1, 2]);
    }

    public override Tensor[] SummedGradients(Tensor activation, Tensor backprop)
    {
        if (Parameters.Count == 0) return [];
        var w = _embedding.weight!;
        var sum = zeros(w.shape, dtype: backprop.dtype, device: backprop.device);
        return [sum.index_add(0, activation.flatten(), backprop.reshape(-1, w.shape[1]), 1)];
    }

    private static (Tensor Ids, Tensor G) Flatten(Tensor activation, Tensor backprop)
    {
        var b = activation.shape[0];
        return (activation.reshape(b, -1), backprop.reshape(b, -1, backprop.shape[^1]));
    }
}
