namespace ModelLoop.Evaluation.Report;

/// <summary>What the report says about where the model and data came from, and the run's training history.</summary>
public sealed record ReportContext
{
    /// <summary>Heading of the page. Defaults to "Evaluation report".</summary>
    public string Title { get; init; } = "Evaluation report";

    /// <summary>Where the model came from (a run folder, a registry version). Defaults to null (not shown).</summary>
    public string? Model { get; init; }

    /// <summary>What the test data is. Defaults to null (not shown).</summary>
    public string? Data { get; init; }

    /// <summary>Per-epoch logs of the training run (loss, metrics, val_…) for the training curves. Defaults to none.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> History { get; init; } = [];

    /// <summary>This model (the challenger) against a champion on the same test set, shown with its verdict. Defaults to null (not shown).</summary>
    public ComparisonResult? Comparison { get; init; }

    /// <summary>Sections added by other assemblies (e.g. the privacy audit), shown after the metrics, in order. Defaults to none.</summary>
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];

    /// <summary>Bins of the calibration plot. Defaults to 10.</summary>
    public int CalibrationBins { get; init; } = 10;
}
