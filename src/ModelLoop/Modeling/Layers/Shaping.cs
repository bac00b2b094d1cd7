using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>Flattens each sample to one dimension: (C, H, W) → (C·H·W).</summary>
public sealed record Flatten : Layer
{
    internal override LayerBuild Build(Shape input, string name) => new(nn.Flatten(), new Shape(input.Elements));
}

/// <summary>Reshapes each sample; one dimension may be −1 and is inferred.</summary>
/// <param name="TargetShape">The new per-sample shape, e.g. [1, 28, 28].</param>
public sealed record Reshape(long[] TargetShape) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        var target = (long[])TargetShape.Clone();
        var unknown = Array.FindAll(target, d => d == -1).Length;
        var known = target.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
        if (unknown > 1 || target.Any(d => d == 0 || d < -1))
            throw new ModelBuildException($"Layer '{name}' (Reshape): TargetShape may hold positive sizes and at most one −1; received [{string.Join(", ", target)}].");
        if (unknown == 1)
        {
            if (input.Elements % known != 0)
                throw ShapeError(name, input, $"a number of elements divisible by {known} to fill [{string.Join(", ", target)}]");
            target[Array.IndexOf(target, -1)] = input.Elements / known;
        }
        else if (known != input.Elements)
        {
            throw ShapeError(name, input, $"{known} elements to fill [{string.Join(", ", target)}], but the input has {input.Elements}");
        }
        nn.Module<Tensor, Tensor> module = input.Rank == 1
            ? nn.Unflatten(1, target)
            : nn.Sequential(("flatten", nn.Flatten()), ("unflatten", nn.Unflatten(1, target)));
        return new(module, new Shape(target));
    }
}

/// <summary>Randomly zeroes a fraction of inputs during training; identity at inference.</summary>
/// <param name="Rate">Fraction dropped, in [0, 1). Defaults to 0.5.</param>
public sealed record Dropout(double Rate = 0.5) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        if (Rate < 0 || Rate >= 1)
            throw new ModelBuildException($"Layer '{name}' (Dropout): Rate must be in [0, 1); received Rate={Rate}.");
        return new(nn.Dropout(Rate), input);
    }
}

/// <summary>An activation as a layer of its own, e.g. after a BatchNorm.</summary>
public sealed record ActivationLayer(Activation Function) : Layer
{
    internal override LayerBuild Build(Shape input, string name) =>
        new(ActivationModules.Create(Function) ?? nn.Identity(), input);
}

/// <summary>Batch normalization over the channel (images) or feature (vectors) dimension.</summary>
/// <param name="Momentum">Running-statistics momentum (PyTorch convention). Defaults to 0.1.</param>
/// <param name="Epsilon">Added to the variance. Defaults to 1e-5.</param>
public sealed record BatchNorm(double Momentum = 0.1, double Epsilon = 1e-5) : Layer
{
    internal override LayerBuild Build(Shape input, string name) => input.Rank switch
    {
        1 => new(nn.BatchNorm1d(input[0], eps: Epsilon, momentum: Momentum), input),
        3 => new(nn.BatchNorm2d(input[0], eps: Epsilon, momentum: Momentum), input),
        _ => throw ShapeError(name, input, "(features) or (channels, height, width)", "Use LayerNorm for sequences."),
    };
}
