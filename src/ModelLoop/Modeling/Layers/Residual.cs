using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// A skip connection: output = activation(branch(x) + shortcut(x)). The shortcut is the identity when the
/// branch keeps the shape, otherwise a projection (a strided 1×1 convolution + BatchNorm for images, a
/// Dense for vectors) sized from the shapes — as in ResNet.
/// </summary>
/// <param name="Branch">The layers of the main path, applied in order.</param>
/// <param name="Activation">Applied after the addition. Defaults to ReLU.</param>
public sealed record Residual(IReadOnlyList<Layer> Branch, Activation Activation = Activation.Relu) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        if (Branch.Count == 0)
            throw new ModelBuildException($"Layer '{name}' (Residual): Branch must hold at least one layer; received none.");
        var names = new LayerNames();
        var (branch, output, _) = LayerStack.Build(Branch, input, names);
        nn.Module<Tensor, Tensor>? shortcut = null;
        if (!output.Equals(input))
            shortcut = Projection(input, output, name);
        return new(new ResidualModule(branch, shortcut, ActivationModules.Create(Activation)), output);
    }

    private nn.Module<Tensor, Tensor> Projection(Shape input, Shape output, string name)
    {
        if (input.Rank == 1 && output.Rank == 1)
            return nn.Linear(input[0], output[0], hasBias: false);
        if (input.Rank == 3 && output.Rank == 3)
        {
            var stride = (input[1] + output[1] - 1) / output[1];
            if ((input[1] + stride - 1) / stride != output[1] || (input[2] + stride - 1) / stride != output[2])
                throw ShapeError(name, input, $"a branch whose output {output} is the input downsampled by a whole stride",
                    "Use Padding.Same in the branch's convolutions.");
            return nn.Sequential(
                ("conv", nn.Conv2d(input[0], output[0], 1, stride: stride, bias: false)),
                ("bn", nn.BatchNorm2d(output[0])));
        }
        throw ShapeError(name, input, $"a branch that keeps the rank; its output is {output}");
    }
}

/// <summary>y = act(branch(x) + shortcut(x)).</summary>
internal sealed class ResidualModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> branch;
    private readonly nn.Module<Tensor, Tensor>? shortcut;
    private readonly nn.Module<Tensor, Tensor>? activation;

    public ResidualModule(nn.Module<Tensor, Tensor> branch, nn.Module<Tensor, Tensor>? shortcut, nn.Module<Tensor, Tensor>? activation)
        : base(nameof(ResidualModule))
    {
        this.branch = branch;
        this.shortcut = shortcut;
        this.activation = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var main = branch.forward(input);
        using var skip = shortcut is null ? input.alias() : shortcut.forward(input);
        var sum = main + skip;
        if (activation is null)
            return sum;
        using (sum)
            return activation.forward(sum);
    }
}
