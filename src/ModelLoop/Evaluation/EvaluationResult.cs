namespace ModelLoop.Evaluation;

/// <summary>
/// Everything an evaluation measured: the <see cref="Summary"/> (what the JSON holds) and the per-sample data the
/// report's plots are drawn from. Classification fills <see cref="Probabilities"/> and <see cref="Labels"/>;
/// regression fills <see cref="Targets"/> and <see cref="Predictions"/>.
/// </summary>
public sealed record EvaluationResult
{
    internal EvaluationResult(EvaluationSummary summary) => Summary = summary;

    public EvaluationSummary Summary { get; init; }

    /// <summary>
    /// A result that is only its summary, for a task whose per-sample data the report does not plot itself
    /// (<see cref="EvaluationTask.LanguageModeling"/>: its plots come as report sections).
    /// </summary>
    /// <exception cref="ArgumentException">A classification or regression summary: those come from <see cref="Evaluator.Evaluate"/>, with their per-sample data.</exception>
    public static EvaluationResult FromSummary(EvaluationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Task == EvaluationTask.LanguageModeling
            ? new EvaluationResult(summary)
            : throw new ArgumentException($"A {summary.Task} summary needs its per-sample data for the report's plots; evaluate the model with Evaluator.Evaluate instead.", nameof(summary));
    }

    /// <summary>(samples, classes); null for regression.</summary>
    public double[,]? Probabilities { get; init; }
    public IReadOnlyList<int>? Labels { get; init; }
    public IReadOnlyList<double>? Targets { get; init; }
    public IReadOnlyList<double>? Predictions { get; init; }

    /// <summary>Pixels of <see cref="EvaluationSummary.MostConfidentlyWrong"/>, in order, each (channels, height, width) flattened; empty when the inputs are not images.</summary>
    public IReadOnlyList<float[]> WrongExampleImages { get; init; } = [];

    /// <summary>
    /// For the first wrong examples, in order: saliency (max |gradient| over channels) and |integrated gradients|
    /// (summed over channels) of the predicted class, each (height, width) flattened.
    /// </summary>
    public IReadOnlyList<(float[] Saliency, float[] IntegratedGradients)> Attributions { get; init; } = [];

    /// <summary>(channels, height, width) of the images in <see cref="WrongExampleImages"/>.</summary>
    public int[] ImageShape { get; init; } = [];

    public string ClassName(int index) =>
        index < Summary.ClassNames.Count ? Summary.ClassNames[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
