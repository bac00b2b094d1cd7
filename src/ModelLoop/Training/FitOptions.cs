using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>Numeric precision of the forward and backward pass.</summary>
public enum Precision
{
    /// <summary>float32 throughout. The default.</summary>
    Float32,
    /// <summary>
    /// bfloat16 weights and activations for forward/backward, float32 master weights for the optimizer step,
    /// so accuracy holds (a <see cref="BFloat16Plugin"/>). ~2.8× faster on CPUs with AVX-512 BF16; slower on CPUs without it.
    /// </summary>
    BFloat16,
}

/// <summary>How training reports progress.</summary>
public enum ProgressMode
{
    /// <summary>A live line per epoch on a terminal, one line per epoch otherwise. The default.</summary>
    Auto,
    /// <summary>One line per epoch.</summary>
    Lines,
    /// <summary>Nothing.</summary>
    Silent,
}

/// <summary>How <c>Fit</c> runs. Every setting has a default; a default-constructed instance trains one epoch.</summary>
public sealed record FitOptions
{
    /// <summary>Defaults to 1.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Defaults to 32.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Shuffle training samples every epoch. Defaults to true.</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Seeds shuffling, dropout and augmentation. Defaults to null: a random seed, recorded in the history.</summary>
    public long? Seed { get; init; }
    /// <summary>Per-batch learning rate schedule. Defaults to null (constant rate).</summary>
    public LearningRateSchedule? Schedule { get; init; }
    /// <summary>Training-only transform of each input batch (augmentation). Defaults to none.</summary>
    public Func<Tensor, Tensor>? Augment { get; init; }
    /// <summary>Defaults to <see cref="Precision.Float32"/>.</summary>
    public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>
    /// File that holds the full training state (weights, optimizer, epoch, RNG, history, callback state),
    /// rewritten atomically after every epoch. Defaults to null (no checkpointing).
    /// </summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists. Defaults to true.</summary>
    public bool Resume { get; init; } = true;
    /// <summary>Batch size for validation. Defaults to 256.</summary>
    public int ValidationBatchSize { get; init; } = 256;
    /// <summary>Defaults to <see cref="ProgressMode.Auto"/>.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>
    /// Batches per optimizer step: the gradients of this many batches are averaged (each batch's loss is divided by
    /// the count) before one step, as if the batch were this many times larger. An epoch whose batch count it does
    /// not divide ends with a step over the batches left. Learning-rate schedules count optimizer steps.
    /// Defaults to 1 (a step per batch).
    /// </summary>
    public int AccumulateGradientBatches { get; init; } = 1;

    /// <summary>
    /// Batches per epoch when training is measured in steps (a language model's max_iters) rather than passes over the
    /// data: epoch k trains on batches k·N … (k+1)·N − 1 of the endless reshuffled sequence of passes
    /// (<see cref="Data.Loading.DataLoader.Stream"/>), so an epoch is a validation and checkpoint interval and a resumed
    /// run continues with the batch it would have seen. Defaults to null: an epoch is one pass over the training data.
    /// </summary>
    public int? BatchesPerEpoch { get; init; }

    /// <summary>
    /// Changes to the training step (mixed precision, DP-SGD, pruning…), outermost first; see <see cref="StepPlugin"/>.
    /// <see cref="Precision.BFloat16"/> adds a <see cref="BFloat16Plugin"/> last unless the list has one. Defaults to none.
    /// </summary>
    public IReadOnlyList<StepPlugin> Plugins { get; init; } = [];

    /// <summary>
    /// Training batches gathered ahead on a background thread while the model works on the current one; 0 gathers
    /// each batch on the training thread when it is needed. The order and the result are the same either way.
    /// Defaults to null: 2 when the machine has more cores than libtorch's threads use, else 0 — gathering an
    /// in-memory batch is ~1% of a step, and a producer thread competing with libtorch's threads for the same cores
    /// made epochs 5–10% slower (2 cores, 2 threads; docs/benchmarks.md).
    /// </summary>
    public int? Prefetch { get; init; }
}
