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
