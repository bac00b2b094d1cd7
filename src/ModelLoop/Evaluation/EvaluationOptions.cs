namespace ModelLoop.Evaluation;

/// <summary>Settings of <see cref="Evaluator.Evaluate"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Classification or regression. Defaults to null: classification when the labels are int64, else regression.</summary>
    public EvaluationTask? Task { get; init; }

    /// <summary>Names of the classes, by index, for tables and plots. Defaults to null: "0", "1", ….</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>k of the top-k accuracy (reported when there are more than k classes). Defaults to 3.</summary>
    public int TopK { get; init; } = 3;

    /// <summary>Bins of the calibration plot and the expected calibration error. Defaults to 10.</summary>
    public int CalibrationBins { get; init; } = 10;

    /// <summary>How many of the most confidently wrong examples to keep (images only; 0 for none). Defaults to 16.</summary>
    public int WrongExamples { get; init; } = 16;

    /// <summary>The group of every test sample (same order) for fairness slices; classification only. Defaults to null (no slices).</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>What the groups are (a column name), for the report. Defaults to "group".</summary>
    public string GroupName { get; init; } = "group";

    /// <summary>The favourable class whose rates the fairness gaps compare. Defaults to 1.</summary>
    public int PositiveClass { get; init; } = 1;

    /// <summary>
    /// Explain the model: saliency and integrated gradients of the first <see cref="ExplainedExamples"/> wrong images,
    /// permutation importance of tabular features. Defaults to true.
    /// </summary>
    public bool Explain { get; init; } = true;

    /// <summary>How many of the most confidently wrong images get saliency and integrated-gradient overlays. Defaults to 6.</summary>
    public int ExplainedExamples { get; init; } = 6;

    /// <summary>Names of tabular feature columns, for the importance plot. Defaults to null: "feature 0", ….</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Shuffles per feature for permutation importance. Defaults to 5.</summary>
    public int ImportanceRepeats { get; init; } = 5;

    /// <summary>Samples per forward pass. Defaults to 256.</summary>
    public int BatchSize { get; init; } = 256;
}
