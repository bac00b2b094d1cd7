using ModelLoop.Training;

namespace ModelLoop.Tests.Training;

/// <summary>Records every hook call as "Hook" or "Hook(epoch)" / "Hook(epoch.batch)", in order.</summary>
internal sealed class HookProbe : Callback
{
    public List<string> Calls { get; } = new();

    public override void OnTrainBegin(TrainingContext context) => Calls.Add("OnTrainBegin");
    public override void OnEpochBegin(TrainingContext context) => Calls.Add($"OnEpochBegin({context.Epoch})");
    public override void OnBatchBegin(TrainingContext context) => Calls.Add($"OnBatchBegin({context.Epoch}.{context.Batch})");
    public override void OnBatchEnd(TrainingContext context) => Calls.Add($"OnBatchEnd({context.Epoch}.{context.Batch})");
    public override void OnEpochEnd(TrainingContext context) => Calls.Add($"OnEpochEnd({context.Epoch})");
    public override void OnTrainEnd(TrainingContext context) => Calls.Add("OnTrainEnd");
}
