namespace ModelLoop.Evaluation;

/// <summary>
/// Paired bootstrap: every resample draws n row indices with replacement (seeded) and both models' metric is
/// computed on the same rows; the interval is the percentile interval of the differences.
/// </summary>
internal sealed class PairedBootstrap
{
    private readonly int[][] _resamples;
    private readonly ComparisonOptions _options;
    private readonly int[] _all;

    public PairedBootstrap(int n, ComparisonOptions options)
    {
        _options = options;
        _all = Enumerable.Range(0, n).ToArray();
        var random = new Random(options.Seed);
        _resamples = new int[options.BootstrapResamples][];
        for (var r = 0; r < _resamples.Length; r++)
        {
            var rows = new int[n];
            for (var i = 0; i < n; i++)
                rows[i] = random.Next(n);
            _resamples[r] = rows;
        }
    }

    /// <summary>A metric that is the mean of per-sample values (accuracy, squared error…): O(n) per resample.</summary>
    public MetricDifference MeanDifference(string name, bool higherIsBetter, double[] champion, double[] challenger)
    {
        double Mean(double[] values, int[] rows) => rows.Sum(i => values[i]) / rows.Length;
        return Difference(name, higherIsBetter, rows => Mean(champion, rows), rows => Mean(challenger, rows));
    }

    /// <summary>Any metric of a row selection.</summary>
    public MetricDifference Difference(string name, bool higherIsBetter, Func<int[], double> champion, Func<int[], double> challenger)
    {
        var (a, b) = (champion(_all), challenger(_all));
        if (_resamples.Length == 0)
            return new MetricDifference(name, higherIsBetter, a, b, b - a, double.NaN, double.NaN);
        var differences = _resamples.Select(rows => challenger(rows) - champion(rows)).Order().ToArray();
        var tail = (1 - _options.ConfidenceLevel) / 2;
        return new MetricDifference(name, higherIsBetter, a, b, b - a, Statistics.Quantile(differences, tail), Statistics.Quantile(differences, 1 - tail));
    }
}
