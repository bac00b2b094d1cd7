using System.Text.Json.Nodes;
using ModelLoop.Data.Loading;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// Changes how one training step runs — the forward pass, the loss, the gradients, the update — where a
/// <see cref="Callback"/> only observes the loop. Every hook is a no-op; override what you need. Plugins come in
/// through <see cref="FitOptions.Plugins"/> and see a narrow <see cref="StepContext"/>, not the trainer.
/// </summary>
/// <remarks>
/// <para>One step, for each batch: <see cref="Forward"/> (wrapping the network's forward pass) →
/// <see cref="OnAfterForward"/> (may add to the loss) → backward → <see cref="OnAfterBackward"/>; then, once every
/// <see cref="FitOptions.AccumulateGradientBatches"/> batches: <see cref="OnBeforeOptimizerStep"/> → gradient
/// clipping → optimizer step → <see cref="OnAfterOptimizerStep"/>.</para>
/// <para>Order, as in a middleware stack: the first plugin in the list is the outermost. <see cref="OnTrainBegin"/>
/// and <see cref="OnBeforeOptimizerStep"/> run in list order; <see cref="Forward"/> nests (the first plugin sees
/// the input first and the output last); the "after" hooks and <see cref="OnTrainEnd"/> run in reverse order, so a
/// plugin sees what the plugins inside it left. <see cref="BFloat16Plugin"/>, added by
/// <c>Precision = BFloat16</c>, goes last (innermost): it runs the bfloat16 copy of the network, and its
/// gradients are on the float32 parameters before any other plugin's <see cref="OnAfterBackward"/>.</para>
/// <para>What fits here: DP-SGD (clip and noise the gradients in <see cref="OnAfterBackward"/> or
/// <see cref="OnBeforeOptimizerStep"/>; for per-sample clipping train with BatchSize 1 and accumulate a lot of
/// batches, keeping the running sum of clipped micro-batch gradients), pruning (re-apply masks to the weights in
/// <see cref="OnAfterOptimizerStep"/>, zero masked gradients in <see cref="OnAfterBackward"/>), quantization-aware
/// training (fake-quantize in <see cref="Forward"/>), an exponential moving average or a shadow copy of the
/// weights (<see cref="OnAfterOptimizerStep"/>). Freezing a head for fine-tuning is <see cref="CompileOptions.Trainable"/>,
/// which also keeps frozen parameters out of the optimizer; a plugin may freeze too, as the LoRA plugin of
/// ModelLoop.Language does (it attaches adapters and clears requires_grad on the base before the optimizer is built,
/// which the trainer honours when Trainable is null).</para>
/// <para>Tensors a hook makes during a step are freed at the end of the batch (each batch runs in a dispose
/// scope); state kept across steps must be detached from it (<c>DetachFromDisposeScope</c>) and freed in
/// <see cref="OnTrainEnd"/>.</para>
/// <para>State a plugin keeps across steps (a privacy accountant's step count, pruning masks) survives a resume
/// through <see cref="SaveState"/>/<see cref="SaveTensors"/>, written into the checkpoint after every epoch and
/// given back after <see cref="OnTrainBegin"/> when a run resumes; plugins are matched by position and type.</para>
/// </remarks>
public abstract class StepPlugin
{
    /// <summary>
    /// How the trainer should form batches for this plugin: <see cref="BatchSampling.Poisson"/> (DP-SGD's privacy
    /// analysis needs it) makes <c>Fit</c> Poisson-sample every batch, possibly empty ones — for an empty batch the
    /// forward and backward passes are skipped, but the optimizer-step hooks and the step still run. Defaults to
    /// <see cref="BatchSampling.Fixed"/> (no preference).
    /// </summary>
    public virtual BatchSampling Sampling => BatchSampling.Fixed;

    /// <summary>
    /// True for a plugin that makes training differentially private (DP-SGD). A config with a privacy section is
    /// refused by <see cref="Loop.TrainingJob"/> unless one such plugin runs, so a privacy budget is never silently
    /// ignored. Defaults to false.
    /// </summary>
    public virtual bool EnforcesPrivacy => false;

    /// <summary>Keys this plugin adds to every epoch's logs (see <see cref="EpochLogs"/>), known before the first epoch. Defaults to none.</summary>
    public virtual IReadOnlyList<string> LogKeys => [];

    /// <summary>
    /// Values to add to the epoch's logs (shown in progress, kept in the history and the tracked run), e.g. the privacy
    /// spent so far; called after the epoch's last step, before callbacks see the logs. Defaults to null (nothing).
    /// </summary>
    public virtual IReadOnlyDictionary<string, double>? EpochLogs(StepContext context) => null;

    /// <summary>State to keep in checkpoints, or null. Called after every epoch when a checkpoint is written.</summary>
    public virtual JsonNode? SaveState() => null;

    /// <summary>Restores what <see cref="SaveState"/> returned, after <see cref="OnTrainBegin"/> when resuming.</summary>
    public virtual void LoadState(JsonNode state) { }

    /// <summary>Tensors to keep in checkpoints (e.g. masks), or null. The plugin keeps ownership.</summary>
    public virtual IReadOnlyDictionary<string, Tensor>? SaveTensors() => null;

    /// <summary>Restores what <see cref="SaveTensors"/> returned, after <see cref="LoadState"/>. The plugin takes ownership.</summary>
    public virtual void LoadTensors(IReadOnlyDictionary<string, Tensor> tensors) { }

    /// <summary>
    /// Before the first step, once the model holds its starting weights (after a resume from a checkpoint) and the
    /// optimizer and its parameter groups exist.
    /// </summary>
    public virtual void OnTrainBegin(StepContext context) { }

    /// <summary>After the last step, and also when training ends with an exception, so a plugin can free what it holds.</summary>
    public virtual void OnTrainEnd(StepContext context) { }

    /// <summary>
    /// Runs the forward pass of a training batch: call <paramref name="next"/> (the plugins inside this one, then
    /// the network) and return its output, transformed or not — or return an output computed another way
    /// (<see cref="BFloat16Plugin"/> runs a bfloat16 copy of the network). Defaults to <c>next(input)</c>.
    /// </summary>
    public virtual Tensor Forward(StepContext context, Tensor input, Func<Tensor, Tensor> next) => next(input);

    /// <summary>
    /// After the loss of a batch is computed (and found finite), before backward. Returns the loss to minimize:
    /// <paramref name="loss"/>, or it plus a term (a penalty, an auxiliary loss). The logged "loss" is the
    /// compiled loss alone. Defaults to returning <paramref name="loss"/>.
    /// </summary>
    public virtual Tensor OnAfterForward(StepContext context, Tensor output, Tensor loss) => loss;

    /// <summary>
    /// After backward of a batch: the gradients are on the trainable parameters (<see cref="StepContext.ParameterGroups"/>).
    /// With gradient accumulation this runs for every batch and the gradients are the sum so far of each batch's
    /// loss ÷ <see cref="StepContext.BatchesInStep"/>.
    /// </summary>
    public virtual void OnAfterBackward(StepContext context) { }

    /// <summary>Once the step's gradients are complete, before gradient clipping and the optimizer step.</summary>
    public virtual void OnBeforeOptimizerStep(StepContext context) { }

    /// <summary>After the optimizer updated the weights.</summary>
    public virtual void OnAfterOptimizerStep(StepContext context) { }
}
