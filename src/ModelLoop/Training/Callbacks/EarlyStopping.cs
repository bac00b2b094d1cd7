using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ModelLoop.Training.Callbacks;

/// <summary>Stops training when the monitored value has not improved for <c>patience</c> epochs.</summary>
/// <param name="monitor">Logged key to watch. Defaults to "val_loss".</param>
/// <param name="patience">Epochs without improvement before stopping. Defaults to 3.</param>
/// <param name="minDelta">Smallest change that counts as an improvement. Defaults to 0.</param>
/// <param name="restoreBestWeights">Put back the weights of the best epoch when training ends. Defaults to false.</param>
/// <param name="mode">Defaults to <see cref="MonitorMode.Auto"/>.</param>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 3, double minDelta = 0, bool restoreBestWeights = false, MonitorMode mode = MonitorMode.Auto)
    : MonitorCallback(monitor, mode, minDelta)
{
    private Dictionary<string, Tensor>? _bestWeights;

    /// <summary>Zero-based epoch of the best value, or −1.</summary>
    public int BestEpoch { get; private set; } = -1;
    /// <summary>Zero-based epoch training stopped after, or −1 when it ran to the end.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    public override void OnTrainBegin(TrainingContext context)
    {
        if (patience < 0)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be zero or more epochs.");
        base.OnTrainBegin(context);
        DisposeBest();
        BestEpoch = StoppedEpoch = -1;
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        if (Observe(context))
        {
            BestEpoch = context.Epoch;
            if (restoreBestWeights)
            {
                DisposeBest();
                _bestWeights = context.Model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
            }
        }
        else if (Wait >= Math.Max(1, patience))
        {
            StoppedEpoch = context.Epoch;
            context.StopTraining = true;
            // Invariant: the reason is recorded with the run (summary.json), not only shown.
            context.StopReason = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{Monitor} did not improve by more than {MinDelta} for {patience} epoch(s); best {Best:G6} at epoch {BestEpoch + 1}.");
        }
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (restoreBestWeights && _bestWeights is not null && BestEpoch != context.Epoch)
            context.Model.Network.load_state_dict(_bestWeights);
        DisposeBest();
    }

    public override JsonNode? SaveState()
    {
        var state = base.SaveState()!;
        state["bestEpoch"] = BestEpoch;
        return state;
    }

    public override void LoadState(JsonNode state)
    {
        base.LoadState(state);
        BestEpoch = state["bestEpoch"]?.GetValue<int>() ?? -1;
    }

    public override IReadOnlyDictionary<string, Tensor>? SaveTensors() => _bestWeights;

    public override void LoadTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        DisposeBest();
        _bestWeights = tensors.ToDictionary(p => p.Key, p => p.Value);
    }

    private void DisposeBest()
    {
        if (_bestWeights is null)
            return;
        foreach (var t in _bestWeights.Values)
            t.Dispose();
        _bestWeights = null;
    }
}
