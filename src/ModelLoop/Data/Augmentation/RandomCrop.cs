using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>
/// Pads each image by <see cref="Padding"/> pixels (zeros, or <see cref="Fill"/>) and crops it back to its size at a
/// random offset: a random shift of up to ±Padding pixels, the standard CIFAR/Fashion-MNIST augmentation.
/// </summary>
/// <param name="Padding">Pixels on each side. Defaults to 4.</param>
/// <param name="Fill">Value of the padding. Defaults to 0 (use the normalized background value after normalization).</param>
public sealed class RandomCrop(int Padding = 4, double Fill = 0) : Augmentation
{
    public int Padding { get; } = Padding >= 0 ? Padding
        : throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "Padding must be ≥ 0 pixels.");
    public double Fill { get; } = Fill;

    public override Tensor Apply(Tensor batch)
    {
        CheckBatch(batch);
        if (Padding == 0)
            return batch.clone();
        using var scope = NewDisposeScope();
        long n = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        var padded = nn.functional.pad(batch, [Padding, Padding, Padding, Padding], value: Fill);
        // Per-image offsets in [0, 2·Padding]; two gathers pick rows then columns, with no per-image loop.
        var top = randint(0, 2 * Padding + 1, [n], dtype: ScalarType.Int64, device: batch.device);
        var left = randint(0, 2 * Padding + 1, [n], dtype: ScalarType.Int64, device: batch.device);
        var rows = (top.view(n, 1) + arange(h, device: batch.device).view(1, h)).view(n, 1, h, 1).expand(n, c, h, w + 2 * Padding);
        var cols = (left.view(n, 1) + arange(w, device: batch.device).view(1, w)).view(n, 1, 1, w).expand(n, c, h, w);
        return padded.gather(2, rows).gather(3, cols).MoveToOuterDisposeScope();
    }
}
