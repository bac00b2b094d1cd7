namespace ModelLoop.Evaluation;

/// <summary>Threshold curves and the areas under them (scikit-learn's roc_curve / precision_recall_curve semantics).</summary>
public static partial class ClassificationMetrics
{
    /// <summary>
    /// ROC curve of a binary problem: one point per distinct score (ties form one step), from (0, 0) with
    /// threshold +∞ to (1, 1). <paramref name="positives"/>[i] says whether sample i is positive. When the
    /// labels hold only one class the curve is undefined: the rates of the missing class are NaN.
    /// </summary>
    public static RocCurve RocCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> positives)
    {
        var (tps, fps, thresholds) = BinaryCounts(scores, positives);
        double p = tps[^1], n = fps[^1];
        var fpr = new double[tps.Length + 1];
        var tpr = new double[tps.Length + 1];
        var th = new double[tps.Length + 1];
        th[0] = double.PositiveInfinity;
        for (var i = 0; i < tps.Length; i++)
            (fpr[i + 1], tpr[i + 1], th[i + 1]) = (n == 0 ? double.NaN : fps[i] / n, p == 0 ? double.NaN : tps[i] / p, thresholds[i]);
        if (n == 0)
            fpr[0] = double.NaN;
        if (p == 0)
            tpr[0] = double.NaN;
        return new RocCurve(fpr, tpr, th);
    }

    /// <summary>
    /// Area under the ROC curve of a binary problem (trapezoids, so tied scores count one half). NaN when the
    /// labels hold only one class (undefined: scikit-learn raises "Only one class present in y_true").
    /// </summary>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> positives)
    {
        var curve = RocCurve(scores, positives);
        if (double.IsNaN(curve.FalsePositiveRate[0]) || double.IsNaN(curve.TruePositiveRate[0]))
            return double.NaN;
        var area = 0.0;
        for (var i = 1; i < curve.FalsePositiveRate.Length; i++)
            area += (curve.FalsePositiveRate[i] - curve.FalsePositiveRate[i - 1]) * (curve.TruePositiveRate[i] + curve.TruePositiveRate[i - 1]) / 2;
        return area;
    }

    /// <summary>
    /// ROC AUC of a multi-class (or binary, two-column) problem. Two columns: the binary AUC of column 1.
    /// More: one-vs-rest AUC per class, averaged (Macro: mean; Weighted: by support; Micro: all one-vs-rest
    /// decisions pooled). A class absent from the labels has no defined AUC and is left out of Macro and
    /// Weighted (scikit-learn raises instead); NaN when no class is defined.
    /// </summary>
    public static double RocAuc(double[,] probabilities, IReadOnlyList<int> labels, ClassAverage average = ClassAverage.Macro) =>
        OneVsRest(probabilities, labels, average, RocAuc);

    /// <summary>
    /// Precision-recall curve of a binary problem, as scikit-learn 1.2 returns it: one point per distinct score
    /// by increasing threshold, then the point (recall 0, precision 1). Recall is NaN when there is no positive.
    /// </summary>
    public static PrecisionRecallCurve PrecisionRecallCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> positives)
    {
        var (tps, fps, thresholds) = BinaryCounts(scores, positives);
        var total = tps[^1];
        var count = tps.Length;
        var last = count - 1;
        var precision = new double[count + 1];
        var recall = new double[count + 1];
        var th = new double[count];
        for (var j = 0; j < count; j++)
        {
            var i = last - j; // increasing threshold order
            precision[j] = tps[i] + fps[i] == 0 ? 0 : tps[i] / (tps[i] + fps[i]);
            recall[j] = total == 0 ? double.NaN : tps[i] / total;
            th[j] = thresholds[i];
        }
        (precision[count], recall[count]) = (1, 0);
        return new PrecisionRecallCurve(precision, recall, th);
    }

    /// <summary>
    /// Average precision of a binary problem: Σ (Rₙ − Rₙ₋₁) Pₙ over thresholds, no interpolation (scikit-learn's
    /// <c>average_precision_score</c>, the usual "PR AUC"). NaN when there is no positive sample (undefined).
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> positives)
    {
        var curve = PrecisionRecallCurve(scores, positives);
        if (double.IsNaN(curve.Recall[0]))
            return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < curve.Recall.Length - 1; i++)
            sum += (curve.Recall[i] - curve.Recall[i + 1]) * curve.Precision[i];
        return sum;
    }

    /// <summary>Average precision of a multi-class problem, one-vs-rest, averaged as <see cref="RocAuc(double[,], IReadOnlyList{int}, ClassAverage)"/>.</summary>
    public static double AveragePrecision(double[,] probabilities, IReadOnlyList<int> labels, ClassAverage average = ClassAverage.Macro) =>
        OneVsRest(probabilities, labels, average, AveragePrecision);

    /// <summary>Per-class one-vs-rest values (NaN where undefined); two columns give one value, for class 1.</summary>
    public static double[] PerClass(double[,] probabilities, IReadOnlyList<int> labels, Func<IReadOnlyList<double>, IReadOnlyList<bool>, double> metric)
    {
        var classes = CheckProbabilities(probabilities, labels);
        var (scores, positives) = (new double[labels.Count], new bool[labels.Count]);
        var result = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < labels.Count; i++)
                (scores[i], positives[i]) = (probabilities[i, c], labels[i] == c);
            result[c] = metric(scores, positives);
        }
        return result;
    }

    private static double OneVsRest(double[,] probabilities, IReadOnlyList<int> labels, ClassAverage average,
        Func<IReadOnlyList<double>, IReadOnlyList<bool>, double> metric)
    {
        var classes = CheckProbabilities(probabilities, labels);
        if (classes == 2)
            return metric(Column(probabilities, 1), labels.Select(l => l == 1).ToArray());
        if (average == ClassAverage.Micro)
        {
            var scores = new double[labels.Count * classes];
            var positives = new bool[labels.Count * classes];
            for (var i = 0; i < labels.Count; i++)
                for (var c = 0; c < classes; c++)
                    (scores[i * classes + c], positives[i * classes + c]) = (probabilities[i, c], labels[i] == c);
            return metric(scores, positives);
        }
        var values = PerClass(probabilities, labels, metric);
        var support = new double[classes];
        foreach (var label in labels)
            support[label]++;
        double sum = 0, weights = 0;
        for (var c = 0; c < classes; c++)
        {
            if (double.IsNaN(values[c]))
                continue;
            var w = average == ClassAverage.Weighted ? support[c] : 1;
            (sum, weights) = (sum + w * values[c], weights + w);
        }
        return weights == 0 ? double.NaN : sum / weights;
    }

    internal static double[] Column(double[,] matrix, int column)
    {
        var result = new double[matrix.GetLength(0)];
        for (var i = 0; i < result.Length; i++)
            result[i] = matrix[i, column];
        return result;
    }

    /// <summary>
    /// Cumulative true and false positives at each distinct score, by decreasing score (scikit-learn's
    /// _binary_clf_curve): entry i counts the samples with score ≥ thresholds[i].
    /// </summary>
    private static (double[] Tps, double[] Fps, double[] Thresholds) BinaryCounts(IReadOnlyList<double> scores, IReadOnlyList<bool> positives)
    {
        CheckPair(positives, scores);
        var order = Enumerable.Range(0, scores.Count).ToArray();
        for (var i = 0; i < order.Length; i++)
            if (double.IsNaN(scores[i]))
                throw new ArgumentException($"Scores must be numbers; received NaN at position {i}. Check the model's outputs.", nameof(scores));
        // Stable sort by decreasing score; the order inside a tie does not matter since ties form one step.
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]));
        var (tps, fps, thresholds) = (new List<double>(), new List<double>(), new List<double>());
        double tp = 0, fp = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (positives[order[i]])
                tp++;
            else
                fp++;
            if (i == order.Length - 1 || scores[order[i + 1]] != scores[order[i]])
            {
                tps.Add(tp);
                fps.Add(fp);
                thresholds.Add(scores[order[i]]);
            }
        }
        return (tps.ToArray(), fps.ToArray(), thresholds.ToArray());
    }
}
