using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>Adds N(0, <see cref="StandardDeviation"/>²) noise to every pixel.</summary>
/// <param name="StandardDeviation">Defaults to 0.05 (for inputs in [0, 1] or standardized).</param>
public sealed class GaussianNoise(double StandardDeviation = 0.05) : Augmentation
{
    public double StandardDeviation { get; } = StandardDeviation >= 0 ? StandardDeviation
        : throw new ArgumentOutOfRangeException(nameof(StandardDeviation), StandardDeviation, "The noise standard deviation must be ≥ 0.");

    public override Tensor Apply(Tensor batch)
    {
        CheckBatch(batch);
        using var noise = randn_like(batch);
        return batch + noise.mul_(StandardDeviation);
    }
}
