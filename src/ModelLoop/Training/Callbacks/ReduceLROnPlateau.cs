namespace ModelLoop.Training.Callbacks;

/// <summary>Multiplies the learning rate by <c>factor</c> when the monitored value stalls for <c>patience</c> epochs.</summary>
/// <param name="monitor">Defaults to "val_loss".</param>
/// <param name="factor">In (0, 1). Defaults to 0.1.</param>
/// <param name="patience">Epochs without improvement before reducing. Defaults to 2.</param>
/// <param name="minLearningRate">Lower bound. Defaults to 0.</param>
/// <param name="minDelta">Smallest change that counts as an improvement. Defaults to 1e-4.</param>
/// <param name="mode">Defaults to <see cref="MonitorMode.Auto"/>: the monitored metric's own direction.</param>
public sealed class ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 2, double minLearningRate = 0, double minDelta = 1e-4, MonitorMode mode = MonitorMode.Auto)
    : MonitorCallback(monitor, mode, minDelta)
{
    public override void OnTrainBegin(TrainingContext context)
    {
        if (factor <= 0 || factor >= 1)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau factor must be in (0, 1), e.g. 0.1 or 0.5.");
        base.OnTrainBegin(context);
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        if (Observe(context) || Wait < Math.Max(1, patience))
            return;
        var reduced = Math.Max(minLearningRate, context.LearningRate * factor);
        if (reduced < context.LearningRate)
            context.LearningRate = reduced;
        Wait = 0;
    }
}
