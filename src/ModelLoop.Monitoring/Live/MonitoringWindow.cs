using ModelLoop.Monitoring.Drift;

namespace ModelLoop.Monitoring.Live;

/// <summary>
/// One window of served items of one model version: where it lies in the traffic, its drift report against that
/// version's reference, and its live accuracy on the items whose true answer came back as feedback.
/// </summary>
public sealed record MonitoringWindow
{
    /// <summary>The version that served every item of the window.</summary>
    public required string Version { get; init; }
    /// <summary>The window's first and last item in the model's traffic (1-based, across versions).</summary>
    public long FirstItem { get; init; }
    public long LastItem { get; init; }
    /// <summary>Requests of the model up to and including the window's last item.</summary>
    public long Requests { get; init; }
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
    public required DriftReport Drift { get; init; }
    /// <summary>Accuracy on the window's labelled items, or null when fewer than <see cref="MonitoringOptions.MinimumLabelled"/>.</summary>
    public LiveAccuracy? Accuracy { get; init; }
    /// <summary>
    /// True when accuracy's upper bound at level 1 − α (the drift tests' false-alarm rate, so 99.9% by default) lies below
    /// the reference accuracy minus <see cref="MonitoringOptions.AccuracyMargin"/>.
    /// </summary>
    public bool AccuracyAlarm { get; init; }
    /// <summary>Drift alarm or accuracy alarm.</summary>
    public bool Alarm => Drift.Alarm || AccuracyAlarm;
}
