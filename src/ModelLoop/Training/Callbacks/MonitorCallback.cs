using System.Text.Json.Nodes;

namespace ModelLoop.Training.Callbacks;

/// <summary>Whether a smaller or a larger monitored value is better.</summary>
public enum MonitorMode
{
    /// <summary>
    /// The monitored metric's own <see cref="MetricDirection"/> ("loss" and "val_loss": lower is better). Refused, at
    /// the start of training, for a logged key that is not a metric ("lr", "seconds"). The default.
    /// </summary>
    Auto,
    /// <summary>Smaller is better.</summary>
    Min,
    /// <summary>Larger is better.</summary>
    Max,
}

/// <summary>
/// Shared base of callbacks that watch one logged value (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau):
/// tracks the best value and how many epochs passed without an improvement larger than MinDelta.
/// </summary>
public abstract class MonitorCallback(string monitor, MonitorMode mode, double minDelta) : Callback
{
    public string Monitor { get; } = monitor;
    public MonitorMode Mode { get; } = mode;
    public double MinDelta { get; } = Math.Abs(minDelta);
    /// <summary>Best value seen so far (NaN before the first epoch).</summary>
    public double Best { get; protected set; } = double.NaN;
    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; protected set; }

    /// <summary>
    /// Whether a larger monitored value is better: from <see cref="Mode"/> when it is Min or Max, otherwise from the
    /// monitored metric's direction, resolved in <see cref="OnTrainBegin"/>.
    /// </summary>
    protected bool HigherIsBetter { get; private set; } = mode == MonitorMode.Max;

    public override void OnTrainBegin(TrainingContext context)
    {
        if (!context.LogKeys.Contains(Monitor))
            throw new ArgumentException($"{GetType().Name} monitors '{Monitor}', which this training run does not log. Logged keys: {string.Join(", ", context.LogKeys)}." +
                (Monitor.StartsWith("val_", StringComparison.Ordinal) ? " Pass validation data to Fit to get val_* keys." : ""));
        HigherIsBetter = Mode switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => context.DirectionOf(Monitor) switch
            {
                MetricDirection.HigherIsBetter => true,
                MetricDirection.LowerIsBetter => false,
                _ => throw new ArgumentException(
                    $"{GetType().Name} monitors '{Monitor}', which is not a metric, so whether higher or lower is better is unknown (mode: {Mode}). " +
                    "Pass mode: MonitorMode.Min or MonitorMode.Max, or monitor a metric such as loss or val_loss."),
            },
        };
        Best = double.NaN;
        Wait = 0;
    }

    /// <summary>Updates <see cref="Best"/> and <see cref="Wait"/>; true when this epoch improved on the best.</summary>
    protected bool Observe(TrainingContext context)
    {
        var current = context.Logs[Monitor];
        var improved = double.IsNaN(Best) || (HigherIsBetter ? current > Best + MinDelta : current < Best - MinDelta);
        if (improved)
        {
            Best = current;
            Wait = 0;
        }
        else
        {
            Wait++;
        }
        return improved;
    }

    public override JsonNode? SaveState() => new JsonObject { ["best"] = double.IsNaN(Best) ? null : Best, ["wait"] = Wait };

    public override void LoadState(JsonNode state)
    {
        Best = state["best"]?.GetValue<double>() ?? double.NaN;
        Wait = state["wait"]?.GetValue<int>() ?? 0;
    }
}
