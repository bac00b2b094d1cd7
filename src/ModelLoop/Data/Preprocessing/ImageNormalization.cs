using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Data.Preprocessing;

/// <summary>
/// Per-channel image normalization fitted on training images: x → (x / <see cref="InputScale"/> − mean[c]) / std[c].
/// uint8 images are divided by 255 first, float images are taken as they are (InputScale 1).
/// </summary>
public sealed record ImageNormalization(IReadOnlyList<double> Mean, IReadOnlyList<double> Std, double InputScale)
{
    /// <summary>Fits channel means and stds on (N, C, H, W) images.</summary>
    /// <exception cref="ArgumentException">Not 4-D, or empty.</exception>
    public static ImageNormalization Fit(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[0] == 0)
            throw new ArgumentException($"Image normalization is fitted on images (N, C, H, W) with N ≥ 1; received shape [{string.Join(", ", images.shape)}].", nameof(images));
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var scale = images.dtype == ScalarType.Byte ? 255.0 : 1.0;
        var x = images.to(ScalarType.Float64).div(scale);
        var mean = x.mean([0, 2, 3]).data<double>().ToArray();
        var std = x.std([0, 2, 3], unbiased: false).data<double>().Select(s => s > 0 ? s : 1).ToArray();
        return new ImageNormalization(mean, std, scale);
    }

    /// <summary>Normalizes (N, C, H, W) images into a new float32 tensor.</summary>
    /// <exception cref="ArgumentException">The channel count differs from the fitted one.</exception>
    public Tensor Apply(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != Mean.Count)
            throw new ArgumentException($"Expected images (N, {Mean.Count}, H, W) like the training images; received shape [{string.Join(", ", images.shape)}].", nameof(images));
        using var scope = NewDisposeScope();
        var channels = Mean.Count;
        var mean = tensor(Mean.Select(m => (float)m).ToArray()).view(1, channels, 1, 1);
        var std = tensor(Std.Select(s => (float)s).ToArray()).view(1, channels, 1, 1);
        var result = images.to(ScalarType.Float32).div((float)InputScale).sub_(mean).div_(std);
        return result.MoveToOuterDisposeScope();
    }

    internal string? Problem() =>
        Mean is null || Std is null || Mean.Count == 0 || Mean.Count != Std.Count ? "image mean and std must be lists of one value per channel"
        : Mean.Any(m => !double.IsFinite(m)) || Std.Any(s => !double.IsFinite(s) || s <= 0) ? "image means must be finite and stds positive"
        : !(InputScale > 0) || !double.IsFinite(InputScale) ? $"input scale {InputScale} must be positive"
        : null;

    public bool Equals(ImageNormalization? other) =>
        other is not null && InputScale == other.InputScale && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    public override int GetHashCode() => HashCode.Combine(InputScale, Mean.Count);
}
