using ModelLoop.Loop;

namespace ModelLoop.Optimization.Pruning;

/// <summary>How a <see cref="PruningJob"/> fine-tunes and where it writes; none of this changes which weights are pruned.</summary>
public sealed record PruningJobOptions
{
    /// <summary>Fine-tuning epochs after (or while) pruning. Defaults to 2.</summary>
    public int Epochs { get; init; } = 2;
    /// <summary>Fine-tuning learning rate (constant). Defaults to null: a tenth of the parent config's rate.</summary>
    public double? LearningRate { get; init; }
    /// <summary>The data to fine-tune and test on. Defaults to null: the parent's config's data, through the parent's pipeline.</summary>
    public DataConfig? Data { get; init; }
    /// <summary>Seeds fine-tuning. Defaults to null: the parent config's seed.</summary>
    public long? Seed { get; init; }
    /// <summary>
    /// Run folder, home, registration, device, log of the fine-tuning run (a <see cref="TrainingJob"/>); its Plugins run
    /// outside the pruning plugin. Defaults to a run in runs/prune.
    /// </summary>
    public TrainingJobOptions Training { get; init; } = new() { OutputDirectory = Path.Combine("runs", "prune") };
}
