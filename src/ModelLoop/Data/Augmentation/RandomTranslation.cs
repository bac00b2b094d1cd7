using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>Shifts each image by up to ±<see cref="MaxFraction"/> of its width and height (sub-pixel, bilinear).</summary>
/// <param name="MaxFraction">Defaults to 0.1.</param>
public sealed class RandomTranslation(double MaxFraction = 0.1) : AffineAugmentation
{
    public double MaxFraction { get; } = MaxFraction is >= 0 and <= 1 ? MaxFraction
        : throw new ArgumentOutOfRangeException(nameof(MaxFraction), MaxFraction, "MaxFraction must be in [0, 1], e.g. 0.1 for ±10%.");

    protected override Tensor Matrices(long count, Device device)
    {
        // Normalized coordinates span 2 units across the image, so a shift of f of the size is 2f.
        var shift = (rand(count, 2, device: device) * 2 - 1) * (2 * MaxFraction);
        var one = ones(count, device: device);
        var zero = zeros(count, device: device);
        return stack([one, zero, shift[.., 0], zero, one, shift[.., 1]], 1).view(count, 2, 3);
    }
}
