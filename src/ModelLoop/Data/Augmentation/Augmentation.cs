using static TorchSharp.torch;

namespace ModelLoop.Data.Augmentation;

/// <summary>
/// A random, training-only transform of an image batch (N, C, H, W) → a new batch of the same shape. Draws come
/// from torch's global generator, which <c>FitOptions.Seed</c> (or <c>torch.random.manual_seed</c>) seeds, so a
/// seeded run augments identically. Compose with <see cref="Then"/> or <see cref="Compose"/>; an augmentation
/// converts implicitly to <c>Func&lt;Tensor, Tensor&gt;</c>, so it can be set as <c>FitOptions.Augment</c> directly.
/// </summary>
public abstract class Augmentation
{
    /// <summary>Applies the transform to a batch (N, C, H, W); the input is not modified.</summary>
    public abstract Tensor Apply(Tensor batch);

    /// <summary>This augmentation, then <paramref name="next"/>.</summary>
    public Augmentation Then(Augmentation next) => Compose(this, next);

    /// <summary>The augmentations applied in order.</summary>
    public static Augmentation Compose(params Augmentation[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Any(s => s is null))
            throw new ArgumentException("Compose received a null augmentation; pass only augmentations.", nameof(steps));
        return new Composed(steps.SelectMany(s => s is Composed c ? c.Steps : [s]).ToArray());
    }

    /// <summary>The augmentation as the delegate <c>FitOptions.Augment</c> takes.</summary>
    public Func<Tensor, Tensor> AsFunc() => Apply;

    public static implicit operator Func<Tensor, Tensor>(Augmentation augmentation) => augmentation.Apply;

    /// <summary>Checks the batch is (N, C, H, W) floating point; names the augmentation in the error.</summary>
    protected void CheckBatch(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4 || !batch.is_floating_point())
            throw new ArgumentException($"{GetType().Name} expects a float image batch (N, C, H, W); received {batch.dtype} of shape [{string.Join(", ", batch.shape)}].", nameof(batch));
    }

    /// <summary>A (N, 1, 1, 1) boolean mask: true with probability <paramref name="p"/> per sample.</summary>
    protected static Tensor SampleMask(Tensor batch, double p) =>
        rand(batch.shape[0], device: batch.device).lt(p).view(-1, 1, 1, 1);

    private sealed class Composed(Augmentation[] steps) : Augmentation
    {
        public Augmentation[] Steps { get; } = steps;

        public override Tensor Apply(Tensor batch)
        {
            var x = batch;
            foreach (var step in Steps)
            {
                var next = step.Apply(x);
                if (!ReferenceEquals(x, batch))
                    x.Dispose();
                x = next;
            }
            return ReferenceEquals(x, batch) ? x.alias() : x;
        }
    }
}
