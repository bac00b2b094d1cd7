using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Averages a sequence over time: (time, features) → (features) — global average pooling for sequences,
/// e.g. between transformer blocks and a classifier.
/// </summary>
public sealed record SequenceMeanPool : Layer
{
    internal override LayerBuild Build(Shape input, string name)
    {
        if (input.Rank != 2)
            throw ShapeError(name, input, "a sequence (time, features)", "Use GlobalAvgPool2D for images.");
        return new(new SequenceMeanPoolModule(), new Shape(input[1]));
    }
}

/// <summary>(B, T, D) → (B, D), the mean over T.</summary>
internal sealed class SequenceMeanPoolModule : nn.Module<Tensor, Tensor>
{
    public SequenceMeanPoolModule() : base(nameof(SequenceMeanPoolModule)) => RegisterComponents();

    public override Tensor forward(Tensor input) => input.mean([1L]);
}
