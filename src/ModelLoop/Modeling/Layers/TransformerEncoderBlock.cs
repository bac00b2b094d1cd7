using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// A pre-LayerNorm transformer encoder block on a sequence (time, features) → (time, features), as in GPT-2:
/// x + Attention(LayerNorm(x)), then x + FeedForward(LayerNorm(x)) with FeedForward = Dense(<paramref name="FeedForward"/>,
/// GELU) → Dense(features). Features must be divisible by <paramref name="Heads"/>.
/// </summary>
/// <param name="Heads">Attention heads. Must be positive and divide the features.</param>
/// <param name="FeedForward">Hidden width of the feed-forward network, usually 4 × features. Must be positive.</param>
/// <param name="Dropout">Dropout, while training, on the attention weights and on each branch before it is added back, in [0, 1). Defaults to 0.1.</param>
/// <param name="Causal">Whether each step may attend only to itself and earlier steps. Defaults to false.</param>
public sealed record TransformerEncoderBlock(int Heads, int FeedForward, double Dropout = 0.1, bool Causal = false) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(FeedForward), FeedForward);
        // Checks Heads, Dropout and the (time, features) shape; errors name this block.
        var attention = SelfAttentionModule.Create(this, name, input, Heads, Dropout, Causal);
        return new(new TransformerBlockModule(input[1], FeedForward, attention, Dropout), input);
    }
}

/// <summary>x + drop(attention(ln1(x))), then x + drop(mlp(ln2(x))): (B, T, D) → (B, T, D).</summary>
internal sealed class TransformerBlockModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> ln1;
    private readonly nn.Module<Tensor, Tensor> attention;
    private readonly nn.Module<Tensor, Tensor> ln2;
    private readonly nn.Module<Tensor, Tensor> mlp;
    private readonly nn.Module<Tensor, Tensor> dropout;

    public TransformerBlockModule(long features, long feedForward, nn.Module<Tensor, Tensor> attention, double dropout)
        : base(nameof(TransformerBlockModule))
    {
        ln1 = nn.LayerNorm(features);
        this.attention = attention;
        ln2 = nn.LayerNorm(features);
        mlp = nn.Sequential(
            ("fc", nn.Linear(features, feedForward)),   // (B, T, feedForward)
            ("gelu", nn.GELU()),
            ("proj", nn.Linear(feedForward, features))); // (B, T, D)
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input + dropout.forward(attention.forward(ln1.forward(input))); // (B, T, D)
        x = x + dropout.forward(mlp.forward(ln2.forward(x)));                   // (B, T, D)
        return x.MoveToOuterDisposeScope();
    }
}
