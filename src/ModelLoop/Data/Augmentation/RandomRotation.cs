using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>Rotates each image about its centre by an angle drawn uniformly from ±<see cref="MaxDegrees"/>.</summary>
/// <param name="MaxDegrees">Defaults to 10.</param>
public sealed class RandomRotation(double MaxDegrees = 10) : AffineAugmentation
{
    public double MaxDegrees { get; } = MaxDegrees is >= 0 and <= 180 ? MaxDegrees
        : throw new ArgumentOutOfRangeException(nameof(MaxDegrees), MaxDegrees, "MaxDegrees must be in [0, 180].");

    protected override Tensor Matrices(long count, Device device)
    {
        var angle = (rand(count, device: device) * 2 - 1) * (MaxDegrees * Math.PI / 180);
        var (cos, sin) = (angle.cos(), angle.sin());
        var zero = zeros_like(angle);
        return stack([cos, -sin, zero, sin, cos, zero], 1).view(count, 2, 3);
    }
}
