using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Data;

/// <summary>
/// In-memory samples: <see cref="Features"/> of shape (N, …sample shape) and <see cref="Labels"/> of shape
/// (N) for class indices or (N, k) for targets. The dataset owns both tensors.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    public TensorDataset(Tensor features, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.dim() < 2)
            throw new ArgumentException($"Features must have a batch dimension and at least one feature dimension, shape (N, …); received shape [{string.Join(", ", features.shape)}].", nameof(features));
        if (labels.dim() < 1 || labels.shape[0] != features.shape[0])
            throw new ArgumentException($"Features and labels must have the same number of samples; received {features.shape[0]} feature rows and labels of shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        Features = features;
        Labels = labels;
    }

    public Tensor Features { get; }
    public Tensor Labels { get; }
    public long Count => Features.shape[0];

    /// <summary>The shape of one sample's features.</summary>
    public Shape SampleShape => new(Features.shape.Skip(1).ToArray());

    /// <summary>Smallest and largest label value.</summary>
    public (double Min, double Max) LabelRange()
    {
        if (Count == 0)
            return (0, 0);
        using var _ = NewDisposeScope();
        var l = Labels.to(ScalarType.Float64);
        return (l.min().item<double>(), l.max().item<double>());
    }

    /// <summary>Samples [start, start + count) as a new dataset sharing no storage with this one.</summary>
    public TensorDataset Slice(long start, long count) =>
        new(Features.narrow(0, start, count).clone(), Labels.narrow(0, start, count).clone());

    /// <summary>A random split (fixed by <paramref name="seed"/>) into two datasets: the first holds <paramref name="fraction"/>.</summary>
    public (TensorDataset First, TensorDataset Second) Split(double fraction, long seed)
    {
        if (fraction <= 0 || fraction >= 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Split fraction must be strictly between 0 and 1, e.g. 0.8 for an 80/20 split.");
        using var generator = new Generator().manual_seed(seed);
        using var order = randperm(Count, generator: generator);
        var firstCount = (long)Math.Round(Count * fraction);
        using var firstIdx = order.narrow(0, 0, firstCount);
        using var secondIdx = order.narrow(0, firstCount, Count - firstCount);
        return (new(Features.index_select(0, firstIdx), Labels.index_select(0, firstIdx)),
                new(Features.index_select(0, secondIdx), Labels.index_select(0, secondIdx)));
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
