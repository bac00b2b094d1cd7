using ModelLoop.Modeling.Transformers;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// A whole decoder-only Transformer language model in GPT-2's layout, as one layer: token ids (T) → next-token
/// logits (T, <paramref name="VocabularySize"/>). Token + position embeddings, <paramref name="Layers"/> pre-LayerNorm
/// blocks (causal self-attention, GELU MLP of 4 × width), a final LayerNorm, and an output head that shares the token
/// embedding's weights. The input shape's length is the block size (the longest context; shorter inputs work).
/// Parameter names follow Hugging Face's GPT-2 (wte, wpe, h.N.ln_1, h.N.attn.c_attn, h.N.attn.c_proj, h.N.ln_2,
/// h.N.mlp.c_fc, h.N.mlp.c_proj, ln_f) below the layer's name; <see cref="Zoo.SequenceZoo.Gpt"/> names it
/// "transformer", as GPT2LMHeadModel does. Weights start as GPT-2's: N(0, 0.02), residual projections
/// N(0, 0.02/√(2·layers)), zero biases.
/// </summary>
/// <param name="VocabularySize">Token ids are in [0, VocabularySize). Must be positive.</param>
/// <param name="Layers">Transformer blocks. Defaults to 4.</param>
/// <param name="Heads">Attention heads per block; must divide <paramref name="Width"/>. Defaults to 4.</param>
/// <param name="Width">Embedding and residual width. Defaults to 128.</param>
/// <param name="Dropout">Dropout on embeddings, attention weights and residual branches while training, in [0, 1). Defaults to 0.</param>
/// <param name="Bias">Whether the linear layers and LayerNorms have biases (GPT-2 has; false is slightly faster and often as good). Defaults to true.</param>
public sealed record Gpt(int VocabularySize, int Layers = 4, int Heads = 4, int Width = 128, double Dropout = 0.0, bool Bias = true) : Layer
{
    internal override bool TakesTokenIds => true;

    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(VocabularySize), VocabularySize);
        RequirePositive(name, nameof(Layers), Layers);
        RequirePositive(name, nameof(Heads), Heads);
        RequirePositive(name, nameof(Width), Width);
        if (Width % Heads != 0)
            throw new ModelBuildException($"Layer '{name}' (Gpt): Width must be divisible by Heads; received Width={Width}, Heads={Heads}. Choose Heads among the divisors of {Width}.");
        if (Dropout is < 0 or >= 1)
            throw new ModelBuildException($"Layer '{name}' (Gpt): Dropout must be in [0, 1); received Dropout={Dropout}.");
        if (input.Rank != 1)
            throw ShapeError(name, input, "a sequence of token ids (block size)",
                "Gpt takes token ids: build it with new Sequential(new Shape(blockSize), InputKind.TokenIds), or use SequenceZoo.Gpt.");
        return new(new GptNetwork(this, input[0]), new Shape(input[0], VocabularySize));
    }
}
