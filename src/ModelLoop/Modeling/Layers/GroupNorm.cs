using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Group normalization (Wu &amp; He 2018) over the channels of an image (C, H, W), with a
/// learned per-channel scale and shift: the channels are split into <see cref="Groups"/> groups normalized within each
/// sample, so unlike BatchNorm a sample's output does not depend on the rest of its batch — which DP-SGD's per-sample
/// gradients need.
/// </summary>
/// <param name="Groups">How many groups the channels are split into; must divide the channel count.</param>
/// <param name="Epsilon">Added to the variance. Must be positive. Defaults to 1e-5.</param>
public sealed record GroupNorm(int Groups, double Epsilon = 1e-5) : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        RequirePositive(name, nameof(Groups), Groups);
        RequirePositive(name, nameof(Epsilon), Epsilon);
        // libtorch's group_norm takes (N, C, …) with at least one spatial axis (TorchSharp refuses a 2-D batch), and on a
        // vector GroupNorm with one group is LayerNorm, which is the layer to use there.
        if (input.Rank != 3)
            throw ShapeError(name, input, "(channels, height, width)", "Use LayerNorm for vectors and sequences.");
        if (input[0] % Groups != 0)
            throw new ModelBuildException($"Layer '{name}' (GroupNorm): Groups must divide the {input[0]} channels; received Groups={Groups}. Use a divisor of {input[0]}, e.g. {Divisor(input[0])}.");
        var norm = nn.GroupNorm(Groups, input[0], eps: Epsilon);
        // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised (whatever the memory held, NaN at times):
        // start from the identity transform, as PyTorch does.
        using (no_grad())
        {
            norm.weight!.fill_(1);
            norm.bias!.zero_();
        }
        return new(norm, input);
    }

    private static long Divisor(long channels) => new long[] { 32, 16, 8, 4, 2, 1 }.First(g => g <= channels && channels % g == 0);
}
