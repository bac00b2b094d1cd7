using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Multi-head self-attention on a sequence (time, features) → (time, features): softmax(Q·Kᵀ/√headDim)·V per head,
/// with one fused projection to Q, K and V and an output projection, as in "Attention Is All You Need".
/// Features must be divisible by <paramref name="Heads"/>.
/// </summary>
/// <param name="Heads">Number of attention heads; each sees features / heads dimensions. Must be positive.</param>
/// <param name="Dropout">Dropout on the attention weights while training, in [0, 1). Defaults to 0.</param>
/// <param name="Causal">Whether each step may attend only to itself and earlier steps (for autoregressive models). Defaults to false.</param>
public sealed record MultiHeadAttention(int Heads, double Dropout = 0, bool Causal = false) : Layer
{
    internal override LayerBuild Build(Shape input, string name) =>
        new(SelfAttentionModule.Create(this, name, input, Heads, Dropout, Causal), input);
}

/// <summary>Batch-first multi-head self-attention: (B, T, D) → (B, T, D).</summary>
internal sealed class SelfAttentionModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> qkv;
    private readonly nn.Module<Tensor, Tensor> projection;
    private readonly long _heads;
    private readonly double _dropout;
    private readonly bool _causal;

    /// <summary>Checks the arguments and the (time, features) input of <paramref name="layer"/>, then builds the module.</summary>
    public static SelfAttentionModule Create(Layer layer, string name, Shape input, int heads, double dropout, bool causal)
    {
        var type = layer.GetType().Name;
        if (heads < 1)
            throw new ModelBuildException($"Layer '{name}' ({type}): Heads must be positive; received Heads={heads}.");
        if (dropout < 0 || dropout >= 1)
            throw new ModelBuildException($"Layer '{name}' ({type}): Dropout must be in [0, 1); received Dropout={dropout}.");
        if (input.Rank != 2)
            throw new ModelBuildException($"Layer '{name}' ({type}) expects a sequence (time, features); received input shape {input}. " +
                "Put an Embedding before it for token ids, or a Reshape([T, F]) for flat inputs.");
        if (input[1] % heads != 0)
            throw new ModelBuildException($"Layer '{name}' ({type}) expects features divisible by Heads={heads}; received input shape {input}, " +
                $"whose {input[1]} features are not. Choose Heads among the divisors of {input[1]}, or make the features (e.g. the Embedding's Dimensions) a multiple of {heads}.");
        return new SelfAttentionModule(input[1], heads, dropout, causal);
    }

    private SelfAttentionModule(long features, long heads, double dropout, bool causal) : base(nameof(SelfAttentionModule))
    {
        qkv = nn.Linear(features, 3 * features);
        projection = nn.Linear(features, features);
        _heads = heads;
        _dropout = dropout;
        _causal = causal;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2]);
        var headDim = features / _heads;
        var fused = qkv.forward(input);                                          // (B, T, 3·D)
        var split = fused.view(batch, time, 3, _heads, headDim).permute(2, 0, 3, 1, 4); // (3, B, heads, T, headDim)
        var (q, k, v) = (split[0], split[1], split[2]);                          // (B, heads, T, headDim) each
        // Fused kernel (flash / memory-efficient where available); scales by 1/√headDim itself.
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, p: training ? _dropout : 0.0, is_casual: _causal); // (B, heads, T, headDim)
        var merged = attended.transpose(1, 2).reshape(batch, time, features);  // (B, T, D)
        return projection.forward(merged).MoveToOuterDisposeScope();
    }
}
