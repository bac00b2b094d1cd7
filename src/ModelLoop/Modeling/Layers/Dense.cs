using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>Fully connected layer on the last dimension: y = activation(x·Wᵀ + b).</summary>
/// <param name="Units">Output features. Must be positive.</param>
/// <param name="Activation">Applied to the output. Defaults to none (logits).</param>
/// <param name="UseBias">Whether to add a bias. Defaults to true.</param>
public sealed record Dense(int Units, Activation Activation = Activation.None, bool UseBias = true) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(Units), Units);
        if (input.Rank < 1)
            throw ShapeError(name, input, "at least one dimension (features)");
        var linear = nn.Linear(input[-1], Units, hasBias: UseBias);
        var output = new Shape([.. input.Dims.Take(input.Rank - 1), Units]);
        return new(ActivationModules.Then(linear, Activation), output);
    }
}
