using ModelLoop.Training;

namespace ModelLoop.Language.Adapters;

/// <summary>What <see cref="LoraFineTuning.Run"/> produced: the trained adapter (not applied) and the losses before and after.</summary>
/// <param name="Adapter">The trained adapter, detached from the base; save it, apply it or merge it. The caller disposes it.</param>
/// <param name="BaseValidationLoss">Mean next-token cross-entropy of the base model on the validation windows.</param>
/// <param name="ValidationLoss">The same with the trained adapter applied.</param>
/// <param name="History">The trainer's history (loss, val_loss, lr, seconds).</param>
public sealed record LoraFineTuningResult(LoraAdapter Adapter, double BaseValidationLoss, double ValidationLoss, History History);
