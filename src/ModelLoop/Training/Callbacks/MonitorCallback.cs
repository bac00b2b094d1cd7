using System.Text.Json.Nodes;

namespace ModelLoop.Training.Callbacks;

/// <summary>Whether a smaller or a larger monitored value is better.</summary>
public enum MonitorMode
{
    /// <summary>Max for keys containing "acc", "auc", "f1", "precision", "recall" or "r2"; Min otherwise. The default.</summary>
    Auto,
    Min,
    Max,
}

/// <summary>
/// Shared base of callbacks that watch one logged value (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau):
/// tracks the best value and how many epochs passed without an improvement larger than MinDelta.
/// </summary>
public abstract class MonitorCallback(string monitor, MonitorMode mode, double minDelta) : Callback
{
    public string Monitor { get; } = monitor;
    public double MinDelta { get; } = Math.Abs(minDelta);
    /// <summary>Best value seen so far (NaN before the first epoch).</summary>
    public double Best { get; protected set; } = double.NaN;
    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; protected set; }

    protected bool HigherIsBetter { get; } = mode switch
    {
        MonitorMode.Max => true,
        MonitorMode.Min => false,
        _ => new[] { "acc", "auc", "f1", "precision", "recall", "r2" }.Any(monitor.Contains),
    };

    public override void OnTrainBegin(TrainingContext context)
    {
        if (!context.LogKeys.Contains(Monitor))
            throw new ArgumentException($"{GetType().Name} monitors '{Monitor}', which this training run does not log. Logged keys: {string.Join(", ", context.LogKeys)}." +
                (Monitor.StartsWith("val_", StringComparison.Ordinal) ? " Pass validation data to Fit to get val_* keys." : ""));
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
