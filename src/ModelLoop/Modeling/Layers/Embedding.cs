using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Looks up a learned vector for each token id: (T) int64 ids → (T, <paramref name="Dimensions"/>). Put it first
/// in a model built with <see cref="InputKind.TokenIds"/>, e.g. <c>new Sequential(new Shape(T), InputKind.TokenIds)</c>;
/// ids must lie in [0, <paramref name="VocabularySize"/>).
/// </summary>
/// <param name="VocabularySize">Number of distinct token ids. Must be positive.</param>
/// <param name="Dimensions">Length of each token's vector. Must be positive.</param>
public sealed record Embedding(int VocabularySize, int Dimensions) : Layer
{
    internal override bool TakesTokenIds => true;

    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(VocabularySize), VocabularySize);
        RequirePositive(name, nameof(Dimensions), Dimensions);
        if (input.Rank != 1)
            throw ShapeError(name, input, "a sequence of token ids (time)",
                "Embedding must come first, in a model built with new Sequential(new Shape(T), InputKind.TokenIds).");
        return new(nn.Embedding(VocabularySize, Dimensions), new Shape(input[0], Dimensions));
    }
}
