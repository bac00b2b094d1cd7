using ModelLoop.Monitoring.Drift;

namespace ModelLoop.Monitoring.Live;

/// <summary>How <see cref="LiveMonitor"/> cuts served traffic into windows and judges them. Every setting documents its default.</summary>
public sealed record MonitoringOptions
{
    /// <summary>Items per window. Defaults to 200: enough for the tests to see a shift that costs a few points, small
    /// enough to find it within a few hundred requests.</summary>
    public int WindowSize { get; init; } = 200;

    /// <summary>After a version's first full window, another ends every this many items (windows overlap when smaller than <see cref="WindowSize"/>). Defaults to 200 (no overlap).</summary>
    public int Step { get; init; } = 200;

    /// <summary>The drift tests. Defaults to <see cref="DriftDetectorOptions"/>' defaults (family-wise α = 0.001 per window).</summary>
    public DriftDetectorOptions Detector { get; init; } = new();

    /// <summary>Level of the live-accuracy intervals. Defaults to 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>
    /// A window whose accuracy is below the reference accuracy by more than this is an alarm, judged on the upper bound of
    /// its interval at level 1 − <see cref="DriftDetectorOptions.Alpha"/>. Defaults to 0.02 (2 points).
    /// </summary>
    public double AccuracyMargin { get; init; } = 0.02;

    /// <summary>Fewest labelled items in a window for its live accuracy to be judged. Defaults to 30.</summary>
    public int MinimumLabelled { get; init; } = 30;

    /// <summary>Checks every setting; the error names it, what it held and what is allowed.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (WindowSize < 1)
            throw new ArgumentException($"MonitoringOptions.WindowSize is {WindowSize}; expected at least 1 (e.g. 200).");
        if (Step < 1 || Step > WindowSize)
            throw new ArgumentException($"MonitoringOptions.Step is {Step}; expected 1 … WindowSize ({WindowSize}).");
        if (ConfidenceLevel is <= 0 or >= 1)
            throw new ArgumentException($"MonitoringOptions.ConfidenceLevel is {ConfidenceLevel}; expected a level in (0, 1), e.g. 0.95.");
        if (AccuracyMargin is < 0 or >= 1)
            throw new ArgumentException($"MonitoringOptions.AccuracyMargin is {AccuracyMargin}; expected [0, 1), e.g. 0.02.");
        if (MinimumLabelled < 1)
            throw new ArgumentException($"MonitoringOptions.MinimumLabelled is {MinimumLabelled}; expected at least 1.");
        Detector.Validate();
    }
}
