namespace ModelLoop.Evaluation;

/// <summary>
/// A reliability diagram: samples binned by predicted probability into equal-width bins over [0, 1]; per bin
/// the count, the mean predicted probability and the observed frequency. A value on an inner bin edge goes
/// to the lower bin, as scikit-learn's <c>calibration_curve(strategy="uniform")</c>; empty bins have count 0
/// and NaN means.
/// </summary>
public sealed record CalibrationCurve(long[] Count, double[] MeanPredicted, double[] Observed)
{
    public int Bins => Count.Length;

    /// <summary>Σ (count / n) · |observed − mean predicted| over non-empty bins.</summary>
    public double ExpectedCalibrationError
    {
        get
        {
            double n = Count.Sum(), sum = 0;
            for (var b = 0; b < Bins; b++)
                if (Count[b] > 0)
                    sum += Count[b] / n * Math.Abs(Observed[b] - MeanPredicted[b]);
            return sum;
        }
    }

    /// <summary>
    /// Binary calibration: bins by P(positive), observed = fraction of positives (what scikit-learn's
    /// <c>calibration_curve</c> returns, for its non-empty bins).
    /// </summary>
    public static CalibrationCurve Positive(IReadOnlyList<double> positiveProbability, IReadOnlyList<bool> positives, int bins = 10)
    {
        ClassificationMetrics.CheckPair(positives, positiveProbability);
        return Build(positiveProbability, i => positives[i], bins);
    }

    /// <summary>Top-label calibration: bins by the highest probability, observed = accuracy of the arg-max class.</summary>
    public static CalibrationCurve TopLabel(double[,] probabilities, IReadOnlyList<int> labels, int bins = 10)
    {
        ClassificationMetrics.CheckProbabilities(probabilities, labels);
        var predicted = ClassificationMetrics.ArgMax(probabilities);
        var confidence = predicted.Select((c, i) => probabilities[i, c]).ToArray();
        return Build(confidence, i => predicted[i] == labels[i], bins);
    }

    private static CalibrationCurve Build(IReadOnlyList<double> probability, Func<int, bool> hit, int bins)
    {
        if (bins < 1)
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "Calibration needs at least 1 bin; 10 is usual.");
        // Edges computed as numpy.linspace does (i · step), so values on an edge fall in the same bin as in scikit-learn.
        var step = 1.0 / bins;
        var (count, sumP, sumHit) = (new long[bins], new double[bins], new double[bins]);
        for (var i = 0; i < probability.Count; i++)
        {
            var p = probability[i];
            if (p is < 0 or > 1 || double.IsNaN(p))
                throw new ArgumentException($"Probabilities must be in [0, 1]; received {p} at position {i}. Apply softmax or sigmoid to the model's outputs first.", nameof(probability));
            var b = 0;
            while (b < bins - 1 && (b + 1) * step < p)
                b++;
            count[b]++;
            sumP[b] += p;
            if (hit(i))
                sumHit[b]++;
        }
        var mean = count.Select((c, b) => c == 0 ? double.NaN : sumP[b] / c).ToArray();
        var observed = count.Select((c, b) => c == 0 ? double.NaN : sumHit[b] / c).ToArray();
        return new CalibrationCurve(count, mean, observed);
    }
}
