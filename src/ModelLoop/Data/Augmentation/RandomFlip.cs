using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>Mirrors each image left-right (and/or upside down) with probability <see cref="Probability"/>.</summary>
/// <param name="Horizontal">Flip left-right. Defaults to true.</param>
/// <param name="Vertical">Flip upside down. Defaults to false (wrong for most photos and clothing).</param>
/// <param name="Probability">Per image and direction. Defaults to 0.5.</param>
public sealed class RandomFlip(bool Horizontal = true, bool Vertical = false, double Probability = 0.5) : Augmentation
{
    public bool Horizontal { get; } = Horizontal;
    public bool Vertical { get; } = Vertical;
    public double Probability { get; } = Probability is >= 0 and <= 1 ? Probability
        : throw new ArgumentOutOfRangeException(nameof(Probability), Probability, "A probability must be in [0, 1].");

    public override Tensor Apply(Tensor batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        var x = batch;
        if (Horizontal)
            x = where(SampleMask(x, Probability), x.flip(3), x);
        if (Vertical)
            x = where(SampleMask(x, Probability), x.flip(2), x);
        return (ReferenceEquals(x, batch) ? x.clone() : x).MoveToOuterDisposeScope();
    }
}
