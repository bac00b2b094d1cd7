using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Classification metrics accumulated batch by batch: the confusion matrix exactly and incrementally, and the
/// probabilities and labels kept (N × classes doubles) because ROC AUC, average precision and calibration need
/// every score. The number of classes is fixed by the first batch. Results equal
/// <see cref="ClassificationMetrics"/> over the concatenated batches.
/// </summary>
public sealed class ClassificationAccumulator
{
    private readonly List<double[]> _rows = new();
    private readonly List<int> _labels = new();
    private long[,]? _confusion;

    /// <summary>Number of classes (columns of the probabilities); 0 before the first batch.</summary>
    public int ClassCount { get; private set; }
    public long Count => _labels.Count;
    public IReadOnlyList<int> Labels => _labels;

    public void Reset()
    {
        _rows.Clear();
        _labels.Clear();
        _confusion = null;
        ClassCount = 0;
    }

    /// <summary>Adds one batch of raw model outputs (see <see cref="ModelOutputs.ToProbabilities"/>) and class labels.</summary>
    public void Update(Tensor output, Tensor target) => Update(ModelOutputs.ToProbabilities(output), ModelOutputs.ToLabels(target));

    /// <summary>Adds one batch of probabilities (samples, classes) and class labels.</summary>
    public void Update(double[,] probabilities, IReadOnlyList<int> labels)
    {
        if (labels.Count == 0)
            return;
        var classes = ClassificationMetrics.CheckProbabilities(probabilities, labels);
        if (ClassCount == 0)
        {
            ClassCount = classes;
            _confusion = new long[classes, classes];
        }
        else if (classes != ClassCount)
            throw new ArgumentException($"Every batch must have the same number of classes; the first had {ClassCount}, this one {classes}.", nameof(probabilities));
        var predicted = ClassificationMetrics.ArgMax(probabilities);
        for (var i = 0; i < labels.Count; i++)
        {
            var row = new double[classes];
            for (var j = 0; j < classes; j++)
                row[j] = probabilities[i, j];
            _rows.Add(row);
            _labels.Add(labels[i]);
            _confusion![labels[i], predicted[i]]++;
        }
    }

    /// <summary>All probabilities so far, (samples, classes).</summary>
    public double[,] Probabilities()
    {
        var result = new double[_rows.Count, ClassCount];
        for (var i = 0; i < _rows.Count; i++)
            for (var j = 0; j < ClassCount; j++)
                result[i, j] = _rows[i][j];
        return result;
    }

    public int[] Predicted() => _rows.Select(r => Array.IndexOf(r, r.Max())).ToArray();

    public long[,] ConfusionMatrix() => (long[,])(_confusion ?? throw Empty()).Clone();

    public double Accuracy()
    {
        var matrix = _confusion ?? throw Empty();
        long correct = 0;
        for (var c = 0; c < ClassCount; c++)
            correct += matrix[c, c];
        return (double)correct / Count;
    }

    public ClassificationScores Scores() => ClassificationMetrics.ScoresFrom(_confusion ?? throw Empty());

    public double TopKAccuracy(int k) => ClassificationMetrics.TopKAccuracy(Probabilities(), _labels, k);
    public double RocAuc(ClassAverage average = ClassAverage.Macro) => ClassificationMetrics.RocAuc(Probabilities(), _labels, average);
    public double AveragePrecision(ClassAverage average = ClassAverage.Macro) => ClassificationMetrics.AveragePrecision(Probabilities(), _labels, average);
    public double LogLoss() => ClassificationMetrics.LogLoss(Probabilities(), _labels);
    public double ExpectedCalibrationError(int bins = 10) => ClassificationMetrics.ExpectedCalibrationError(Probabilities(), _labels, bins);

    /// <summary>Why some values are undefined (NaN) or partial: classes without positive or negative samples.</summary>
    public IReadOnlyList<string> Warnings()
    {
        var warnings = new List<string>();
        if (Count == 0)
            return warnings;
        var support = new long[ClassCount];
        foreach (var label in _labels)
            support[label]++;
        var present = support.Count(s => s > 0);
        var missing = Enumerable.Range(0, ClassCount).Where(c => support[c] == 0).ToArray();
        if (present < 2)
            warnings.Add($"Only one class is present in the labels: ROC AUC and average precision are undefined (NaN). Evaluate on a test set with samples of at least two classes.");
        else if (missing.Length > 0)
            warnings.Add($"Class(es) {string.Join(", ", missing)} have no test samples: their recall, ROC AUC and average precision are undefined; per-class AUC/AP leave them out of the averages and their recall counts 0 in macro averages.");
        return warnings;
    }

    private static InvalidOperationException Empty() =>
        new("No batch was added yet; call Update with model outputs and labels first.");
}
