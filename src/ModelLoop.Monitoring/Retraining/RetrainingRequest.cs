using System.Text.Json.Serialization;
using ModelLoop.Training;

namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// What <see cref="RetrainingJob.Run"/> is asked to do. The job records it (paths made absolute) when it starts, and a
/// resumed job uses the recorded one.
/// </summary>
public sealed record RetrainingRequest
{
    /// <summary>The registry name; its production version (else its latest) is the champion.</summary>
    public required string Model { get; init; }
    /// <summary>
    /// Labelled feedback to train on (feedback exports): .csv/.tsv files with the model's input columns and its label
    /// column, or image folders with one sub-folder per class (see <c>DataConfig.ExtraTrain</c>). At least one.
    /// </summary>
    public required IReadOnlyList<string> Feedback { get; init; }
    /// <summary>
    /// Held-out recent labelled feedback to judge the challenger on (never trained on), in the same forms. Defaults to
    /// null: the most recent <see cref="RetrainingPolicy.HoldoutFraction"/> of the one feedback source is held out.
    /// </summary>
    public string? Holdout { get; init; }
    /// <summary>Defaults to the default policy.</summary>
    public RetrainingPolicy Policy { get; init; } = new();
    /// <summary>What started the job. Defaults to Manual.</summary>
    public RetrainTrigger Trigger { get; init; } = RetrainTrigger.Manual;
    /// <summary>Why, in words (e.g. <see cref="RetrainDecision.Reason"/>). Defaults to null: "run by USER".</summary>
    public string? Reason { get; init; }
    /// <summary>Registry, run store and retraining store folder. Defaults to null: <c>ModelLoopHome.Resolve</c>. Not recorded.</summary>
    [JsonIgnore]
    public string? Home { get; init; }
    /// <summary>Training progress output. Defaults to Silent. Not recorded.</summary>
    [JsonIgnore]
    public ProgressMode Progress { get; init; } = ProgressMode.Silent;
}
