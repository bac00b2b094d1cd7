namespace ModelLoop.Serving.Logging;

/// <summary>
/// The server's background retraining (`modelloop serve --retrain`), bound from "Serving:Retraining". Needs the registry
/// (not run folders) and the prediction log with inputs kept (Raw or Anonymized), since a job learns from exported feedback.
/// </summary>
public sealed class RetrainingOptions
{
    public const string Section = "Serving:Retraining";

    /// <summary>Run the retraining policy in the background. Defaults to false.</summary>
    public bool Enabled { get; set; }

    /// <summary>How often each model's monitoring is judged and the policy asked. Defaults to 1 minute.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A retraining policy file (YAML or JSON, <c>RetrainingPolicy</c>). Defaults to null: the policy's defaults.</summary>
    public string? PolicyPath { get; set; }

    /// <summary>Where feedback exports go. Defaults to null: "feedback-exports" next to the serving database.</summary>
    public string? ExportFolder { get; set; }
}
