namespace ModelLoop.Optimization.Tuning;

/// <summary>What <see cref="StudyReport.Write"/> wrote: the best trial, the importances, and the files.</summary>
public sealed record StudySummary
{
    public required string Study { get; init; }
    public required IReadOnlyList<TrialRecord> Trials { get; init; }
    /// <summary>The best complete trial, or null when none completed.</summary>
    public TrialRecord? Best { get; init; }
    /// <summary>Parameter → fANOVA importance (sums to 1), largest first; empty with fewer than 2 complete trials.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Importance { get; init; }
    /// <summary>summary.json, study.md and the PNG plots (history, intermediate, parallel coordinates, importance).</summary>
    public required IReadOnlyList<string> Files { get; init; }
}
