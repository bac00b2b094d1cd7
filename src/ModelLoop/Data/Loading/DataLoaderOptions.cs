using static TorchSharp.torch;

namespace ModelLoop.Data.Loading;

/// <summary>How <see cref="DataLoader"/> batches. Every setting documents its default.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch. Defaults to 64.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>A new order every epoch, from a generator seeded with (<see cref="Seed"/>, epoch). Defaults to true.</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Seed of the shuffling. Defaults to 0.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// How batches are formed. <see cref="BatchSampling.Poisson"/> ignores <see cref="Shuffle"/> and <see cref="DropLast"/>.
    /// Defaults to <see cref="BatchSampling.Fixed"/>.
    /// </summary>
    public BatchSampling Sampling { get; init; } = BatchSampling.Fixed;
    /// <summary>Skip the last batch when it is smaller than <see cref="BatchSize"/>. Defaults to false.</summary>
    public bool DropLast { get; init; }
    /// <summary>
    /// Batches prepared ahead on a background thread (0 = prepare each one when asked, on the caller's thread).
    /// Defaults to 2: the next batch is ready while the model works on the current one.
    /// </summary>
    public int Prefetch { get; init; } = 2;
    /// <summary>
    /// Transform of each feature batch (e.g. an <c>Augmentation</c>), applied where the batch is made — on the
    /// background thread when prefetching. Draws from torch's global generator: identical across runs when
    /// nothing else draws concurrently (for dropout plus exact reproducibility, use <c>FitOptions.Augment</c>,
    /// which runs on the training thread). Defaults to none.
    /// </summary>
    public Func<Tensor, Tensor>? Transform { get; init; }
}
