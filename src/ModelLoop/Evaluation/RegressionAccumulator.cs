using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Regression metrics accumulated batch by batch in O(1) memory: sums of errors, and the targets' mean and
/// sum of squared deviations merged per batch (Chan et al.'s parallel variance) for R².
/// </summary>
public sealed class RegressionAccumulator
{
    private long _count;
    private double _squared, _absolute, _percentage, _mean, _m2;

    public long Count => _count;

    public void Reset() => (_count, _squared, _absolute, _percentage, _mean, _m2) = (0, 0, 0, 0, 0, 0);

    /// <summary>Adds one batch of model outputs and targets (any shape with the same number of values).</summary>
    public void Update(Tensor output, Tensor target)
    {
        using var _ = NewDisposeScope();
        var y = target.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var p = output.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        if (y.Length != p.Length)
            throw new ArgumentException($"Outputs and targets must have the same number of values; received {p.Length} outputs and {y.Length} targets.");
        Add(y, p);
    }

    /// <summary>Adds one batch of targets and predictions (named Add, not Update: TorchSharp converts arrays to tensors implicitly, which would make an Update overload ambiguous).</summary>
    public void Add(IReadOnlyList<double> targets, IReadOnlyList<double> predicted)
    {
        if (targets.Count != predicted.Count)
            throw new ArgumentException($"Targets and predictions must have one entry per sample; received {targets.Count} and {predicted.Count}.");
        if (targets.Count == 0)
            return;
        double batchMean = targets.Average(), batchM2 = 0;
        for (var i = 0; i < targets.Count; i++)
        {
            var error = targets[i] - predicted[i];
            _squared += error * error;
            _absolute += Math.Abs(error);
            _percentage += Math.Abs(error) / Math.Max(Math.Abs(targets[i]), 2.220446049250313e-16);
            batchM2 += (targets[i] - batchMean) * (targets[i] - batchMean);
        }
        long n = targets.Count, total = _count + n;
        var delta = batchMean - _mean;
        _m2 += batchM2 + delta * delta * _count * n / total;
        _mean += delta * n / total;
        _count = total;
    }

    public double MeanSquaredError => _count == 0 ? double.NaN : _squared / _count;
    public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);
    public double MeanAbsoluteError => _count == 0 ? double.NaN : _absolute / _count;
    public double MeanAbsolutePercentageError => _count == 0 ? double.NaN : _percentage / _count;

    /// <summary>1 − SS_res / SS_tot; 1 or 0 when the targets are constant (see <see cref="RegressionMetrics.R2"/>).</summary>
    public double R2 => _count == 0 ? double.NaN : _m2 == 0 ? (_squared == 0 ? 1 : 0) : 1 - _squared / _m2;

    /// <summary>All five by their metric names: mse, rmse, mae, r2, mape.</summary>
    public IReadOnlyDictionary<string, double> Results() => new Dictionary<string, double>
    {
        ["mse"] = MeanSquaredError,
        ["rmse"] = RootMeanSquaredError,
        ["mae"] = MeanAbsoluteError,
        ["r2"] = R2,
        ["mape"] = MeanAbsolutePercentageError,
    };
}
