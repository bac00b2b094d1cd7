using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>
/// Random erasing (Zhong et al. 2017): with probability <see cref="Probability"/>, sets a rectangle covering
/// <see cref="MinArea"/>–<see cref="MaxArea"/> of the image (aspect ratio 0.3–3.3) to <see cref="Value"/> in all channels.
/// </summary>
/// <param name="Probability">Defaults to 0.5.</param>
/// <param name="MinArea">Smallest fraction of the image erased. Defaults to 0.02.</param>
/// <param name="MaxArea">Largest fraction. Defaults to 0.33.</param>
/// <param name="Value">Defaults to 0.</param>
public sealed class RandomErasing(double Probability = 0.5, double MinArea = 0.02, double MaxArea = 0.33, double Value = 0) : Augmentation
{
    public double Probability { get; } = Probability is >= 0 and <= 1 ? Probability
        : throw new ArgumentOutOfRangeException(nameof(Probability), Probability, "A probability must be in [0, 1].");
    public double MinArea { get; } = MinArea is > 0 and <= 1 ? MinArea
        : throw new ArgumentOutOfRangeException(nameof(MinArea), MinArea, "MinArea must be in (0, 1].");
    public double MaxArea { get; } = MaxArea >= MinArea && MaxArea <= 1 ? MaxArea
        : throw new ArgumentOutOfRangeException(nameof(MaxArea), MaxArea, $"MaxArea must be in [MinArea = {MinArea}, 1].");
    public double Value { get; } = Value;

    public override Tensor Apply(Tensor batch)
    {
        CheckBatch(batch);
        using var scope = NewDisposeScope();
        long n = batch.shape[0], h = batch.shape[2], w = batch.shape[3];
        var device = batch.device;
        var area = (rand(n, device: device) * (MaxArea - MinArea) + MinArea) * (h * w);
        var logRatio = rand(n, device: device) * (Math.Log(3.3) - Math.Log(0.3)) + Math.Log(0.3);
        var ratio = logRatio.exp();
        var eh = (area * ratio).sqrt().round().clamp(1, h);
        var ew = (area / ratio).sqrt().round().clamp(1, w);
        var top = (rand(n, device: device) * (h - eh + 1)).floor();
        var left = (rand(n, device: device) * (w - ew + 1)).floor();
        // One (N, 1, H, W) mask from broadcast comparisons: rows in [top, top + eh) and columns in [left, left + ew).
        var rows = arange(h, device: device, dtype: ScalarType.Float32).view(1, h, 1);
        var cols = arange(w, device: device, dtype: ScalarType.Float32).view(1, 1, w);
        var inside = rows.ge(top.view(n, 1, 1)).logical_and(rows.lt((top + eh).view(n, 1, 1)))
            .logical_and(cols.ge(left.view(n, 1, 1))).logical_and(cols.lt((left + ew).view(n, 1, 1)))
            .unsqueeze(1).logical_and(SampleMask(batch, Probability));
        return batch.masked_fill(inside, Value).MoveToOuterDisposeScope();
    }
}
