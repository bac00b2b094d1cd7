using ModelLoop.Training;

namespace ModelLoop.Language.Adapters;

/// <summary>How <see cref="LoraFineTuning.Run"/> trains an adapter.</summary>
public sealed record LoraFineTuningOptions
{
    /// <summary>The adapters' rank, α, dropout and targets. Defaults to rank 8, α 16, GPT-2's attention and MLP projections.</summary>
    public LoraOptions Lora { get; init; } = new();

    /// <summary>Optimizer steps (each on <see cref="BatchSize"/> random windows). Must be positive. Defaults to 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Windows of the model's block size per step. Must be positive. Defaults to 12.</summary>
    public int BatchSize { get; init; } = 12;

    /// <summary>AdamW's peak learning rate (LoRA tolerates larger rates than full fine-tuning). Defaults to 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW's weight decay on the adapters. Defaults to 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Share of the steps spent warming the rate up linearly, before a cosine decay to zero. Defaults to 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Rescales the adapters' gradients whose global norm exceeds this. Defaults to 1.</summary>
    public double? ClipGradientNorm { get; init; } = 1.0;

    /// <summary>Validation windows evaluated at most (consecutive, from the start of the validation stream). Defaults to 256.</summary>
    public int ValidationWindows { get; init; } = 256;

    /// <summary>Seeds the adapters' initialization, the training windows and dropout. Defaults to 1337.</summary>
    public long Seed { get; init; } = 1337;

    /// <summary>Defaults to <see cref="ProgressMode.Silent"/>.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Silent;
}
