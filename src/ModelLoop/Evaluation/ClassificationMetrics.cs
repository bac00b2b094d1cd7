namespace ModelLoop.Evaluation;

/// <summary>
/// Classification metrics over whole arrays, checked against scikit-learn on fixed inputs (ties, one class,
/// empty classes) to 1e-6. Labels are class indices in [0, classes); probabilities are a matrix
/// (samples, classes) whose rows sum to 1 — a binary model gives two columns [1 − p, p]
/// (<see cref="BinaryProbabilities"/>). For batch-by-batch use, see <see cref="ClassificationAccumulator"/>.
/// Undefined values (ROC AUC or average precision when a class has no positive or no negative sample) are
/// <see cref="double.NaN"/>; <see cref="ClassificationAccumulator.Warnings"/> and the report say why.
/// </summary>
public static partial class ClassificationMetrics
{
    /// <summary>Fraction of samples whose prediction equals the label.</summary>
    public static double Accuracy(IReadOnlyList<int> labels, IReadOnlyList<int> predicted)
    {
        CheckPair(labels, predicted);
        var correct = 0L;
        for (var i = 0; i < labels.Count; i++)
            if (labels[i] == predicted[i])
                correct++;
        return (double)correct / labels.Count;
    }

    /// <summary>
    /// Fraction of samples whose label is among the <paramref name="k"/> highest probabilities. Ties are broken
    /// as scikit-learn's <c>top_k_accuracy_score</c> does: among equal scores the higher class index ranks first.
    /// </summary>
    public static double TopKAccuracy(double[,] probabilities, IReadOnlyList<int> labels, int k)
    {
        var classes = CheckProbabilities(probabilities, labels);
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1 (k = 1 is plain accuracy).");
        var hits = 0L;
        for (var i = 0; i < labels.Count; i++)
        {
            var truth = labels[i];
            var score = probabilities[i, truth];
            var ahead = 0;
            for (var j = 0; j < classes; j++)
                if (probabilities[i, j] > score || (probabilities[i, j] == score && j > truth))
                    ahead++;
            if (ahead < k)
                hits++;
        }
        return (double)hits / labels.Count;
    }

    /// <summary>Counts (classes, classes): row = true class, column = predicted class (scikit-learn's layout).</summary>
    public static long[,] ConfusionMatrix(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, int classes)
    {
        CheckPair(labels, predicted);
        CheckRange(labels, classes, nameof(labels));
        CheckRange(predicted, classes, nameof(predicted));
        var matrix = new long[classes, classes];
        for (var i = 0; i < labels.Count; i++)
            matrix[labels[i], predicted[i]]++;
        return matrix;
    }

    /// <summary>Per-class precision, recall, F1 and support for classes 0 … <paramref name="classes"/> − 1.</summary>
    public static ClassificationScores PrecisionRecallF1(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, int classes) =>
        ScoresFrom(ConfusionMatrix(labels, predicted, classes));

    /// <summary>Averaged precision; see <see cref="ClassificationScores.Average"/>.</summary>
    public static double Precision(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, int classes, ClassAverage average = ClassAverage.Macro) =>
        PrecisionRecallF1(labels, predicted, classes).Average(average).Precision;

    /// <summary>Averaged recall; see <see cref="ClassificationScores.Average"/>.</summary>
    public static double Recall(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, int classes, ClassAverage average = ClassAverage.Macro) =>
        PrecisionRecallF1(labels, predicted, classes).Average(average).Recall;

    /// <summary>Averaged F1; see <see cref="ClassificationScores.Average"/>.</summary>
    public static double F1(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, int classes, ClassAverage average = ClassAverage.Macro) =>
        PrecisionRecallF1(labels, predicted, classes).Average(average).F1;

    /// <summary>Scores from a confusion matrix (row = true, column = predicted).</summary>
    public static ClassificationScores ScoresFrom(long[,] confusion)
    {
        var k = confusion.GetLength(0);
        var (tp, fp, fn, support) = (new long[k], new long[k], new long[k], new long[k]);
        for (var t = 0; t < k; t++)
            for (var p = 0; p < k; p++)
            {
                var n = confusion[t, p];
                support[t] += n;
                if (t == p)
                    tp[t] += n;
                else
                {
                    fn[t] += n;
                    fp[p] += n;
                }
            }
        var precision = Enumerable.Range(0, k).Select(c => ClassificationScores.Ratio(tp[c], tp[c] + fp[c])).ToArray();
        var recall = Enumerable.Range(0, k).Select(c => ClassificationScores.Ratio(tp[c], tp[c] + fn[c])).ToArray();
        var f1 = Enumerable.Range(0, k).Select(c => ClassificationScores.F1Of(tp[c], fp[c], fn[c])).ToArray();
        return new ClassificationScores(precision, recall, f1, support, tp, fp, fn);
    }

    /// <summary>
    /// Mean negative log-likelihood of the true class (natural log). Probabilities are clipped to
    /// [ε, 1 − ε] with ε = 2.2e-16 (float64 machine epsilon) and each row renormalized, as scikit-learn 1.2's <c>log_loss</c>.
    /// </summary>
    public static double LogLoss(double[,] probabilities, IReadOnlyList<int> labels)
    {
        CheckProbabilities(probabilities, labels);
        var sum = 0.0;
        for (var i = 0; i < labels.Count; i++)
            sum += NegativeLogLikelihood(probabilities, i, labels[i]);
        return sum / labels.Count;
    }

    /// <summary>−log p(label) of row i after clipping and renormalizing the row (the log-loss of one sample).</summary>
    internal static double NegativeLogLikelihood(double[,] probabilities, int row, int label)
    {
        double rowSum = 0;
        for (var j = 0; j < probabilities.GetLength(1); j++)
            rowSum += Math.Clamp(probabilities[row, j], Epsilon, 1 - Epsilon);
        return -Math.Log(Math.Clamp(probabilities[row, label], Epsilon, 1 - Epsilon) / rowSum);
    }

    /// <summary>
    /// Expected calibration error of the top-label confidence: samples go into <paramref name="bins"/> equal-width
    /// bins by their highest probability, ECE = Σ (bin size / n) · |accuracy(bin) − mean confidence(bin)|. A value
    /// on an inner edge goes to the lower bin (as scikit-learn's <c>calibration_curve</c> bins). Defaults to 10 bins.
    /// </summary>
    public static double ExpectedCalibrationError(double[,] probabilities, IReadOnlyList<int> labels, int bins = 10) =>
        CalibrationCurve.TopLabel(probabilities, labels, bins).ExpectedCalibrationError;

    /// <summary>The arg-max class of every row; ties go to the lowest index (as numpy's argmax).</summary>
    public static int[] ArgMax(double[,] probabilities)
    {
        var (n, k) = (probabilities.GetLength(0), probabilities.GetLength(1));
        var result = new int[n];
        for (var i = 0; i < n; i++)
        {
            var best = 0;
            for (var j = 1; j < k; j++)
                if (probabilities[i, j] > probabilities[i, best])
                    best = j;
            result[i] = best;
        }
        return result;
    }

    /// <summary>Two columns [1 − p, p] from probabilities of the positive class.</summary>
    public static double[,] BinaryProbabilities(IReadOnlyList<double> positive)
    {
        var result = new double[positive.Count, 2];
        for (var i = 0; i < positive.Count; i++)
            (result[i, 0], result[i, 1]) = (1 - positive[i], positive[i]);
        return result;
    }

    private const double Epsilon = 2.220446049250313e-16;

    internal static void CheckPair<T, U>(IReadOnlyList<T> labels, IReadOnlyList<U> other)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(other);
        if (labels.Count == 0)
            throw new ArgumentException("Metrics need at least one sample; received empty labels. Evaluate on a non-empty test set.", nameof(labels));
        if (labels.Count != other.Count)
            throw new ArgumentException($"Labels and predictions must have one entry per sample; received {labels.Count} labels and {other.Count} predictions.", nameof(labels));
    }

    internal static void CheckRange(IReadOnlyList<int> values, int classes, string name)
    {
        if (classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "The number of classes must be at least 1.");
        for (var i = 0; i < values.Count; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentException($"{name} must be class indices in [0, {classes - 1}]; received {values[i]} at position {i}. Pass the right class count or map the labels to indices.", name);
    }

    /// <summary>Checks shapes and label range; returns the number of classes (columns).</summary>
    internal static int CheckProbabilities(double[,] probabilities, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
            throw new ArgumentException("Metrics need at least one sample; received empty labels. Evaluate on a non-empty test set.", nameof(labels));
        if (probabilities.GetLength(0) != labels.Count)
            throw new ArgumentException($"Probabilities must have one row per label; received {probabilities.GetLength(0)} rows and {labels.Count} labels.", nameof(probabilities));
        var classes = probabilities.GetLength(1);
        if (classes < 2)
            throw new ArgumentException($"Probabilities need one column per class (at least 2); received {classes}. For a binary model's P(positive), use BinaryProbabilities(p).", nameof(probabilities));
        CheckRange(labels, classes, nameof(labels));
        return classes;
    }
}
