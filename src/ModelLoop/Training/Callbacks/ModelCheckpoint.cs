namespace ModelLoop.Training.Callbacks;

/// <summary>
/// Saves the model's weights after an epoch — every epoch, or only when the monitored value improved.
/// Files are written atomically, so a crash never leaves a half-written file.
/// </summary>
/// <param name="path">Weights file. May contain {epoch}, replaced by the 1-based epoch number.</param>
/// <param name="monitor">Logged key to watch. Defaults to "val_loss".</param>
/// <param name="saveBestOnly">Save only when the monitored value improved. Defaults to true.</param>
/// <param name="mode">Defaults to <see cref="MonitorMode.Auto"/>.</param>
public sealed class ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = true, MonitorMode mode = MonitorMode.Auto)
    : MonitorCallback(monitor, mode, 0)
{
    /// <summary>Files written so far in this run.</summary>
    public List<string> Saved { get; } = new();

    public override void OnTrainBegin(TrainingContext context)
    {
        base.OnTrainBegin(context);
        Saved.Clear();
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        var improved = Observe(context);
        if (saveBestOnly && !improved)
            return;
        var file = path.Replace("{epoch}", (context.Epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        context.Model.SaveWeights(file);
        Saved.Add(file);
    }
}
