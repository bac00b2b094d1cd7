using System.Globalization;
using ModelLoop.Data;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Champion vs challenger on the same test set — what the feedback loop uses to gate promotion.
/// <para>Classification: the verdict is McNemar's test on the paired errors (exact binomial below
/// <see cref="ComparisonOptions.ExactBelow"/> discordant pairs, χ² with continuity correction from there):
/// p &lt; α and the challenger right more often where they disagree → Better; p &lt; α the other way → Worse;
/// else NotSignificantlyDifferent. Accuracy, macro F1 and (with probabilities) log-loss differences come with
/// paired bootstrap intervals (the same resampled rows for both models).</para>
/// <para>Regression: the verdict is the bootstrap interval of the MSE difference (entirely below 0 → Better,
/// entirely above → Worse), with MAE beside it.</para>
/// </summary>
public static class ModelComparison
{
    /// <summary>Runs both models on <paramref name="test"/> and compares them; int64 labels mean classification, otherwise regression.</summary>
    public static ComparisonResult Compare(Model champion, Model challenger, TensorDataset test, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        ArgumentNullException.ThrowIfNull(test);
        using var championOutput = champion.Predict(test.Features);
        using var challengerOutput = challenger.Predict(test.Features);
        if (test.Labels.dtype == ScalarType.Int64)
        {
            var labels = ModelOutputs.ToLabels(test.Labels);
            return CompareClassifiers(labels, ModelOutputs.ToProbabilities(championOutput), ModelOutputs.ToProbabilities(challengerOutput), options);
        }
        using var _ = NewDisposeScope();
        double[] Values(Tensor t) => t.reshape(-1).to(ScalarType.Float64).data<double>().ToArray();
        return CompareRegressors(Values(test.Labels), Values(championOutput), Values(challengerOutput), options);
    }

    /// <summary>Compares two classifiers from their class probabilities (samples, classes) on the same labels.</summary>
    public static ComparisonResult CompareClassifiers(IReadOnlyList<int> labels, double[,] championProbabilities, double[,] challengerProbabilities, ComparisonOptions? options = null)
    {
        var classes = ClassificationMetrics.CheckProbabilities(championProbabilities, labels);
        if (ClassificationMetrics.CheckProbabilities(challengerProbabilities, labels) != classes)
            throw new ArgumentException($"Both models must output the same classes; the champion has {classes} columns, the challenger {challengerProbabilities.GetLength(1)}.", nameof(challengerProbabilities));
        return Classifiers(labels, ClassificationMetrics.ArgMax(championProbabilities), ClassificationMetrics.ArgMax(challengerProbabilities), classes,
            LogLikelihoods(championProbabilities, labels), LogLikelihoods(challengerProbabilities, labels), options ?? new ComparisonOptions());
    }

    /// <summary>Compares two classifiers from their predicted classes alone (no log-loss then).</summary>
    public static ComparisonResult CompareClassifiers(IReadOnlyList<int> labels, IReadOnlyList<int> championPredicted, IReadOnlyList<int> challengerPredicted, int classes, ComparisonOptions? options = null)
    {
        ClassificationMetrics.CheckPair(labels, championPredicted);
        ClassificationMetrics.CheckPair(labels, challengerPredicted);
        foreach (var (values, name) in new[] { (labels, nameof(labels)), (championPredicted, nameof(championPredicted)), (challengerPredicted, nameof(challengerPredicted)) })
            ClassificationMetrics.CheckRange(values, classes, name);
        return Classifiers(labels, championPredicted, challengerPredicted, classes, null, null, options ?? new ComparisonOptions());
    }

    /// <summary>Compares two regressors' predictions of the same targets.</summary>
    public static ComparisonResult CompareRegressors(IReadOnlyList<double> targets, IReadOnlyList<double> championPredicted, IReadOnlyList<double> challengerPredicted, ComparisonOptions? options = null)
    {
        ClassificationMetrics.CheckPair(targets, championPredicted);
        ClassificationMetrics.CheckPair(targets, challengerPredicted);
        options ??= new ComparisonOptions();
        options.Validate();
        var n = targets.Count;
        double[] Squared(IReadOnlyList<double> p) => Enumerable.Range(0, n).Select(i => (targets[i] - p[i]) * (targets[i] - p[i])).ToArray();
        double[] Absolute(IReadOnlyList<double> p) => Enumerable.Range(0, n).Select(i => Math.Abs(targets[i] - p[i])).ToArray();
        var bootstrap = new PairedBootstrap(n, options);
        var mse = bootstrap.MeanDifference("mse", higherIsBetter: false, Squared(championPredicted), Squared(challengerPredicted));
        var mae = bootstrap.MeanDifference("mae", higherIsBetter: false, Absolute(championPredicted), Absolute(challengerPredicted));
        var level = Percent(options.ConfidenceLevel);
        var (verdict, why) = mse.ChallengerSignificantlyBetter ? (ComparisonVerdict.Better, "entirely below 0")
            : mse.ChallengerSignificantlyWorse ? (ComparisonVerdict.Worse, "entirely above 0")
            : (ComparisonVerdict.NotSignificantlyDifferent, "includes 0");
        var reason = Invariant($"MSE {mse.Champion:G6} → {mse.Challenger:G6} (challenger − champion {mse.Difference:+0.####;-0.####;0}); its {level} bootstrap interval [{mse.Lower:G4}, {mse.Upper:G4}] over {options.BootstrapResamples} paired resamples is {why}: {verdict}.");
        return new ComparisonResult(verdict, reason, n, null, [mse, mae], options);
    }

    private static ComparisonResult Classifiers(IReadOnlyList<int> labels, IReadOnlyList<int> championPredicted, IReadOnlyList<int> challengerPredicted, int classes,
        double[]? championLogLikelihood, double[]? challengerLogLikelihood, ComparisonOptions options)
    {
        options.Validate();
        var n = labels.Count;
        var championCorrect = Enumerable.Range(0, n).Select(i => championPredicted[i] == labels[i]).ToArray();
        var challengerCorrect = Enumerable.Range(0, n).Select(i => challengerPredicted[i] == labels[i]).ToArray();
        var mcnemar = McNemarTest.FromCorrectness(championCorrect, challengerCorrect, options.ExactBelow);

        var bootstrap = new PairedBootstrap(n, options);
        var metrics = new List<MetricDifference>
        {
            bootstrap.MeanDifference("accuracy", higherIsBetter: true, championCorrect.Select(c => c ? 1.0 : 0).ToArray(), challengerCorrect.Select(c => c ? 1.0 : 0).ToArray()),
            bootstrap.Difference("f1_macro", higherIsBetter: true, rows => MacroF1(rows, labels, championPredicted, classes), rows => MacroF1(rows, labels, challengerPredicted, classes)),
        };
        if (championLogLikelihood is not null && challengerLogLikelihood is not null)
            metrics.Add(bootstrap.MeanDifference("log_loss", higherIsBetter: false, championLogLikelihood, challengerLogLikelihood));

        var significant = mcnemar.PValue < options.Alpha;
        var verdict = !significant ? ComparisonVerdict.NotSignificantlyDifferent
            : mcnemar.ChallengerOnlyCorrect > mcnemar.ChampionOnlyCorrect ? ComparisonVerdict.Better : ComparisonVerdict.Worse;
        var test = mcnemar.Method == McNemarMethod.ExactBinomial ? "exact binomial" : Invariant($"χ² = {mcnemar.Statistic:0.###} with continuity correction");
        var accuracy = metrics[0];
        var reason = Invariant($"McNemar ({test}): of {mcnemar.Discordant} samples where the models disagree on correctness, the challenger is right on {mcnemar.ChallengerOnlyCorrect} and the champion on {mcnemar.ChampionOnlyCorrect}; {mcnemar.PValueText} ") +
            (significant ? Invariant($"< α = {options.Alpha}") : Invariant($"≥ α = {options.Alpha}")) +
            Invariant($": {verdict}. Accuracy {accuracy.Champion:0.####} → {accuracy.Challenger:0.####} ({accuracy.Difference:+0.####;-0.####;0}, {Percent(options.ConfidenceLevel)} CI [{accuracy.Lower:+0.####;-0.####;0}, {accuracy.Upper:+0.####;-0.####;0}]).");
        return new ComparisonResult(verdict, reason, n, mcnemar, metrics, options);
    }

    /// <summary>Per-sample −log p(true class), clipped as <see cref="ClassificationMetrics.LogLoss"/> does.</summary>
    private static double[] LogLikelihoods(double[,] probabilities, IReadOnlyList<int> labels) =>
        labels.Select((label, i) => ClassificationMetrics.NegativeLogLikelihood(probabilities, i, label)).ToArray();

    private static double MacroF1(int[] rows, IReadOnlyList<int> labels, IReadOnlyList<int> predicted, int classes)
    {
        var confusion = new long[classes, classes];
        foreach (var i in rows)
            confusion[labels[i], predicted[i]]++;
        return ClassificationMetrics.ScoresFrom(confusion).Average(ClassAverage.Macro).F1;
    }

    private static string Percent(double level) => (level * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
