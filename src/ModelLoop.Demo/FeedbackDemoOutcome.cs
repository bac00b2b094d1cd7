using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Monitoring.Retraining;

namespace ModelLoop.Demo;

/// <summary>What the feedback half of the demo did and measured.</summary>
public sealed record FeedbackDemoOutcome
{
    public required IReadOnlyList<TimelineEntry> Timeline { get; init; }
    /// <summary>Windows judged on clean traffic, and how many raised an alarm (false alarms).</summary>
    public int CleanWindows { get; init; }
    public int FalseAlarms { get; init; }
    /// <summary>Requests after the shift began until the first alarm; null when none was raised.</summary>
    public long? DetectionDelay { get; init; }
    /// <summary>Requests whose users sent the true label.</summary>
    public long Labelled { get; init; }
    public required RetrainDecision Decision { get; init; }
    public FeedbackExportResult? Export { get; init; }
    public RetrainingOutcome? Retraining { get; init; }
    /// <summary>Why the retraining job could not run (e.g. too few labels to hold out), or null.</summary>
    public string? RetrainingFailure { get; init; }
    /// <summary>Live accuracy on labelled feedback: clean traffic, shifted traffic before retraining, shifted traffic after.</summary>
    public double? CleanLiveAccuracy { get; init; }
    public double? ShiftedLiveAccuracy { get; init; }
    public double? AfterLiveAccuracy { get; init; }
    /// <summary>Before/after on unseen images; null when nothing was promoted.</summary>
    public RecoveryFigures? Recovery { get; init; }
    public required MonitoringReport Monitoring { get; init; }
    /// <summary>Live accuracy and drift score against requests, with the shift, the alarm and the promotion marked.</summary>
    public required string Plot { get; init; }
    public required string Report { get; init; }
    public long Requests { get; init; }
    public TimeSpan Elapsed { get; init; }
}
