using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// Optional behaviour around the training loop. Every hook is a no-op; override what you need. State kept
/// across epochs belongs in <see cref="OnTrainBegin"/> (reset) and, to survive a resume, in
/// <see cref="SaveState"/>/<see cref="LoadState"/>.
/// </summary>
public abstract class Callback
{
    public virtual void OnTrainBegin(TrainingContext context) { }
    public virtual void OnTrainEnd(TrainingContext context) { }
    public virtual void OnEpochBegin(TrainingContext context) { }
    /// <summary>Called with <see cref="TrainingContext.Logs"/> holding the epoch's training and validation results.</summary>
    public virtual void OnEpochEnd(TrainingContext context) { }
    public virtual void OnBatchBegin(TrainingContext context) { }
    /// <summary>Called with <see cref="TrainingContext.Logs"/> holding "loss" (the running mean over the epoch).</summary>
    public virtual void OnBatchEnd(TrainingContext context) { }

    /// <summary>State to keep in checkpoints, or null. Called after <see cref="OnEpochEnd"/>.</summary>
    public virtual JsonNode? SaveState() => null;
    /// <summary>Restores what <see cref="SaveState"/> returned, after <see cref="OnTrainBegin"/> when resuming.</summary>
    public virtual void LoadState(JsonNode state) { }

    /// <summary>Tensors to keep in checkpoints (e.g. best weights so far), or null. The callback keeps ownership.</summary>
    public virtual IReadOnlyDictionary<string, Tensor>? SaveTensors() => null;
    /// <summary>Restores what <see cref="SaveTensors"/> returned, after <see cref="LoadState"/>. The callback takes ownership.</summary>
    public virtual void LoadTensors(IReadOnlyDictionary<string, Tensor> tensors) { }
}
