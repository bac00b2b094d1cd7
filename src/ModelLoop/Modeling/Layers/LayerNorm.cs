using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Layer normalization over the last dimension (features), with a learned scale and shift: for sequences
/// (T, D) each time step is normalized on its own, so it does not depend on the batch as BatchNorm does.
/// </summary>
/// <param name="Epsilon">Added to the variance. Must be positive. Defaults to 1e-5.</param>
public sealed record LayerNorm(double Epsilon = 1e-5) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(Epsilon), Epsilon);
        if (input.Rank < 1)
            throw ShapeError(name, input, "at least one dimension (features)");
        return new(nn.LayerNorm(input[-1], eps: Epsilon), input);
    }
}
