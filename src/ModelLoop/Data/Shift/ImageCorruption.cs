using ModelLoop.Data.Augmentation;
using static TorchSharp.torch;

namespace ModelLoop.Data.Shift;

/// <summary>
/// A distribution shift for images in [0, 1], in the spirit of MNIST-C (Mu &amp; Gilmer 2019): what a camera, a scanner or
/// a new capture pipeline does to images a model was trained on. Applied in this order to each image: rotation by an
/// angle drawn from ±<see cref="RotationDegrees"/>, Gaussian blur (σ = <see cref="BlurSigma"/>), contrast scaled about
/// the image's mean by <see cref="Contrast"/>, <see cref="Brightness"/> added, Gaussian noise
/// (σ = <see cref="NoiseStandardDeviation"/>), then clipped to [0, 1]. Seeded: the same seed gives the same images.
/// Used to simulate shifted traffic (the demo, the drift benchmark) and to test that monitoring finds it.
/// </summary>
public sealed record ImageCorruption
{
    /// <summary>Contrast factor about each image's mean; 1 keeps it. Defaults to 1.</summary>
    public double Contrast { get; init; } = 1;
    /// <summary>Added to every pixel (before clipping). Defaults to 0.</summary>
    public double Brightness { get; init; }
    /// <summary>Largest rotation either way, in degrees. Defaults to 0.</summary>
    public double RotationDegrees { get; init; }
    /// <summary>Gaussian blur's σ in pixels; 0 = none. Defaults to 0.</summary>
    public double BlurSigma { get; init; }
    /// <summary>Standard deviation of additive Gaussian noise. Defaults to 0.</summary>
    public double NoiseStandardDeviation { get; init; }

    /// <summary>
    /// The demo's shift: images captured darker and flatter (contrast 0.6, brightness −0.1), slightly rotated (±15°),
    /// out of focus (σ 0.7) and noisy (σ 0.08).
    /// </summary>
    public static ImageCorruption Camera { get; } = new() { Contrast = 0.6, Brightness = -0.1, RotationDegrees = 15, BlurSigma = 0.7, NoiseStandardDeviation = 0.08 };

    /// <summary>The corrupted copy of a batch (N, C, H, W) of images in [0, 1].</summary>
    /// <exception cref="ArgumentException">Not a float image batch, or a setting out of range.</exception>
    public Tensor Apply(Tensor images, long seed)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || !images.is_floating_point())
            throw new ArgumentException($"ImageCorruption expects a float image batch (N, C, H, W) in [0, 1]; received {images.dtype} of shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (Contrast < 0 || BlurSigma < 0 || NoiseStandardDeviation < 0 || RotationDegrees is < 0 or > 180)
            throw new ArgumentException($"ImageCorruption settings out of range: contrast {Contrast} (≥ 0), blur σ {BlurSigma} (≥ 0), noise σ {NoiseStandardDeviation} (≥ 0), rotation {RotationDegrees}° (0–180).");
        using var scope = NewDisposeScope();
        // Draw from a seeded state, and restore the caller's generator afterwards.
        var saved = random.get_rng_state();
        random.manual_seed(seed);
        try
        {
            var x = images.to(ScalarType.Float32);
            if (RotationDegrees > 0)
                x = new RandomRotation(RotationDegrees).Apply(x);
            if (BlurSigma > 0)
                x = Blur(x, BlurSigma);
            if (Contrast != 1)
            {
                var mean = x.mean([1, 2, 3], keepdim: true);
                x = (x - mean) * Contrast + mean;
            }
            if (Brightness != 0)
                x = x + Brightness;
            if (NoiseStandardDeviation > 0)
                x = new GaussianNoise(NoiseStandardDeviation).Apply(x);
            return x.clamp(0, 1).MoveToOuterDisposeScope();
        }
        finally
        {
            random.set_rng_state(saved);
        }
    }

    // Separable Gaussian blur per channel with a kernel of radius ⌈3σ⌉, edges padded by replication.
    private static Tensor Blur(Tensor x, double sigma)
    {
        var radius = (int)Math.Ceiling(3 * sigma);
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        var sum = weights.Sum();
        var kernel = tensor(weights.Select(w => (float)(w / sum)).ToArray(), device: x.device);
        var channels = x.shape[1];
        var horizontal = kernel.view(1, 1, 1, -1).expand(channels, 1, 1, -1);
        var vertical = kernel.view(1, 1, -1, 1).expand(channels, 1, -1, 1);
        var padded = nn.functional.pad(x, [radius, radius, radius, radius], TorchSharp.PaddingModes.Replicate);
        var rows = nn.functional.conv2d(padded, horizontal, groups: channels);
        return nn.functional.conv2d(rows, vertical, groups: channels);
    }
}
