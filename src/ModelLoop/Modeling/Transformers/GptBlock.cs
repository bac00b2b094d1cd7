using Gpt = ModelLoop.Modeling.Layers.Gpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>One pre-LayerNorm GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)); (B, T, D) → (B, T, D).</summary>
internal sealed class GptBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // names are GPT-2's parameter names
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly GptMlp mlp;
#pragma warning restore IDE1006

    public GptBlock(Gpt config) : base(nameof(GptBlock))
    {
        ln_1 = nn.LayerNorm(config.Width, bias: config.Bias);
        attn = new CausalSelfAttention(config);
        ln_2 = nn.LayerNorm(config.Width, bias: config.Bias);
        mlp = new GptMlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input + attn.forward(ln_1.forward(input)); // (B, T, D)
        x = x + mlp.forward(ln_2.forward(x));              // (B, T, D)
        return x.MoveToOuterDisposeScope();
    }

    private static readonly TorchSharp.Scalar One = 1L.ToScalar(); // lives as long as the process

    /// <summary>As <see cref="forward"/> for new positions only, attention reading and extending <paramref name="cache"/> (see <see cref="CausalSelfAttention.Forward"/>).</summary>
    public Tensor Forward(Tensor input, KeyValueCache cache, int layer, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        // add(…, One), not +: TorchSharp's operator + passes alpha = 1 as a temporary Scalar that a collection on another
        // thread can free while libtorch reads it ("Expected false to be true" under GC stress, bench lm-gc-stress).
        var x = input.add(attn.Forward(ln_1.forward(input), cache, layer, mask), One); // (B, T, D)
        x = x.add(mlp.forward(ln_2.forward(x)), One);                                   // (B, T, D)
        return x.MoveToOuterDisposeScope();
    }
}
