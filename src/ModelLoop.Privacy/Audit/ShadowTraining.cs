using ModelLoop.Loop;

namespace ModelLoop.Privacy.Audit;

/// <summary>
/// How LiRA's shadow models are trained: the target's own <paramref name="Config"/> (architecture, optimizer, epochs,
/// batch…), run by <c>TrainingJob</c> on parts cut from the audit population, described as <paramref name="Data"/>
/// describes the target's data (pipeline, class names, task; its own parts are not used).
/// </summary>
public sealed record ShadowTraining(TrainingConfig Config, LoadedData Data);
