using ModelLoop.Training;

namespace ModelLoop.Tests.Training;

/// <summary>Records the weights at the end of every epoch (index = zero-based epoch).</summary>
internal sealed class WeightRecorder : Callback
{
    public List<Dictionary<string, byte[]>> Epochs { get; } = new();

    public override void OnEpochEnd(TrainingContext context) => Epochs.Add(TrainingFixtures.Snapshot(context.Model));
}
