using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>How a convolution or pooling treats the border.</summary>
public enum Padding
{
    /// <summary>No padding: the output shrinks by kernel − 1. The default, as in Keras.</summary>
    Valid,
    /// <summary>Zero padding of kernel / 2 on each side: the output is ceil(input / stride).</summary>
    Same,
}

/// <summary>2-D convolution over (channels, height, width) inputs.</summary>
/// <param name="Filters">Output channels. Must be positive.</param>
/// <param name="KernelSize">Square kernel side. Must be positive (and odd for <see cref="Padding.Same"/>).</param>
/// <param name="Activation">Applied to the output. Defaults to none.</param>
/// <param name="Stride">Step between windows. Defaults to 1.</param>
/// <param name="Padding">Border handling. Defaults to <see cref="Layers.Padding.Valid"/>.</param>
/// <param name="UseBias">Defaults to true; set false when a BatchNorm follows.</param>
public sealed record Conv2D(int Filters, int KernelSize, Activation Activation = Activation.None, int Stride = 1,
    Padding Padding = Padding.Valid, bool UseBias = true) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(Filters), Filters);
        RequirePositive(name, nameof(KernelSize), KernelSize);
        RequirePositive(name, nameof(Stride), Stride);
        if (input.Rank != 3)
            throw ShapeError(name, input, "(channels, height, width)", "Add a Reshape layer before it, e.g. Reshape([1, 28, 28]) for flat 784-pixel images.");
        if (Padding == Padding.Same && KernelSize % 2 == 0)
            throw new ModelBuildException($"Layer '{name}' (Conv2D): Padding.Same needs an odd KernelSize; received KernelSize={KernelSize}.");
        var pad = Padding == Padding.Same ? KernelSize / 2 : 0;
        var height = (input[1] + 2 * pad - KernelSize) / Stride + 1;
        var width = (input[2] + 2 * pad - KernelSize) / Stride + 1;
        if (input[1] + 2 * pad < KernelSize || input[2] + 2 * pad < KernelSize)
            throw ShapeError(name, input, $"height and width of at least {KernelSize} (the kernel size) with Padding.{Padding}",
                "Use Padding.Same, a smaller kernel, or fewer pooling layers before this one.");
        var conv = nn.Conv2d(input[0], Filters, KernelSize, stride: Stride, padding: pad, bias: UseBias);
        return new(ActivationModules.Then(conv, Activation), new Shape(Filters, height, width));
    }
}
