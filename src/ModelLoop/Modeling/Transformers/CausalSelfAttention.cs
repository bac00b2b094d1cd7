using Gpt = ModelLoop.Modeling.Layers.Gpt;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>
/// GPT-2's masked multi-head self-attention: one fused projection c_attn to [Q | K | V] (each D wide, heads
/// contiguous inside it, as in GPT-2's checkpoints), causal scaled-dot-product attention, projection c_proj.
/// The projections run through <c>call</c>, not <c>forward</c>, so forward hooks on them (LoRA adapters) take effect.
/// </summary>
internal sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // names are GPT-2's parameter names
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly nn.Module<Tensor, Tensor> resid_dropout;
#pragma warning restore IDE1006
    private readonly long _heads;
    private readonly double _dropout;

    public CausalSelfAttention(Gpt config) : base(nameof(CausalSelfAttention))
    {
        c_attn = nn.Linear(config.Width, 3L * config.Width, hasBias: config.Bias);
        c_proj = nn.Linear(config.Width, config.Width, hasBias: config.Bias);
        resid_dropout = nn.Dropout(config.Dropout);
        _heads = config.Heads;
        _dropout = config.Dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (batch, time, width) = (input.shape[0], input.shape[1], input.shape[2]);
        var headDim = width / _heads;
        var qkv = c_attn.call(input)                                      // (B, T, 3·D)
            .view(batch, time, 3, _heads, headDim).permute(2, 0, 3, 1, 4); // (3, B, heads, T, headDim)
        // Fused kernel with the causal mask built in (is_casual is TorchSharp's spelling); scales by 1/√headDim.
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], p: training ? _dropout : 0.0, is_casual: true); // (B, heads, T, headDim)
        var merged = attended.transpose(1, 2).reshape(batch, time, width); // (B, T, D)
        return resid_dropout.forward(c_proj.call(merged)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The incremental forward generation uses: <paramref name="input"/> (B, T, D) are the new positions only; their keys
    /// and values are appended to <paramref name="cache"/> at <paramref name="layer"/> and the queries attend to every
    /// cached slot. <paramref name="mask"/> (B or 1, 1, T, slots) says which slots each query may see (true = attend);
    /// null means "all cached slots, causal among the new ones", which needs no mask when the cache was empty (the
    /// training case, is_causal) or when T = 1 (one new token sees everything before it; is_causal must then be false,
    /// since PyTorch aligns its causal mask top-left and would hide all but the first slot).
    /// </summary>
    public Tensor Forward(Tensor input, KeyValueCache cache, int layer, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var (batch, time, width) = (input.shape[0], input.shape[1], input.shape[2]);
        var headDim = width / _heads;
        var qkv = c_attn.call(input)                                      // (B, T, 3·D)
            .view(batch, time, 3, _heads, headDim).permute(2, 0, 3, 1, 4); // (3, B, heads, T, headDim)
        var (keys, values) = cache.Append(layer, qkv[1], qkv[2]);         // (B, heads, Length + T, headDim)
        var causal = mask is null && cache.Length == 0 && time > 1;
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], keys, values, attn_mask: mask, p: training ? _dropout : 0.0, is_casual: causal); // (B, heads, T, headDim)
        var merged = attended.transpose(1, 2).reshape(batch, time, width); // (B, T, D)
        return resid_dropout.forward(c_proj.call(merged)).MoveToOuterDisposeScope();
    }
}
