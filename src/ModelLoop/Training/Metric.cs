using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// A metric accumulated batch by batch: <see cref="Reset"/>, <see cref="Update"/> per batch, then
/// <see cref="Result"/>. Create by name with <see cref="MetricSpec"/>; add your own to <see cref="MetricCatalog"/>.
/// </summary>
public abstract class Metric
{
    /// <summary>Key in logs and history, e.g. "accuracy"; validation adds "val_".</summary>
    public abstract string Name { get; }
    /// <summary>Which way the metric improves. Monitoring callbacks (early stopping, checkpoints) go by it.</summary>
    public abstract MetricDirection Direction { get; }
    public abstract void Reset();
    /// <summary>Adds one batch: model output (logits or values) and targets.</summary>
    public abstract void Update(Tensor output, Tensor target);
    public abstract double Result();
}

/// <summary>Fraction of samples whose arg-max output is the label (multi-class) or, for one output, rounds to it.</summary>
internal sealed class AccuracyMetric : Metric
{
    private long _correct, _count;
    public override string Name => "accuracy";
    public override MetricDirection Direction => MetricDirection.HigherIsBetter;
    public override void Reset() => _correct = _count = 0;

    public override void Update(Tensor output, Tensor target)
    {
        using var _ = NewDisposeScope();
        var predicted = output.dim() > 1 && output.shape[^1] > 1 ? output.argmax(-1) : output.reshape(-1).gt(0.5).to(target.dtype);
        _correct += predicted.eq(target.reshape(predicted.shape)).sum().item<long>();
        _count += predicted.shape[0];
    }

    public override double Result() => _count == 0 ? double.NaN : (double)_correct / _count;
}

/// <summary>Fraction of samples whose probability output, thresholded at 0.5, equals the 0/1 label.</summary>
internal sealed class BinaryAccuracyMetric : Metric
{
    private long _correct, _count;
    public override string Name => "binary_accuracy";
    public override MetricDirection Direction => MetricDirection.HigherIsBetter;
    public override void Reset() => _correct = _count = 0;

    public override void Update(Tensor output, Tensor target)
    {
        using var _ = NewDisposeScope();
        var predicted = output.reshape(-1).gt(0.5);
        _correct += predicted.eq(target.reshape(-1).gt(0.5)).sum().item<long>();
        _count += predicted.shape[0];
    }

    public override double Result() => _count == 0 ? double.NaN : (double)_correct / _count;
}

/// <summary>Mean absolute or squared error over all target values.</summary>
internal sealed class MeanErrorMetric(string name, bool squared) : Metric
{
    private double _sum;
    private long _count;
    public override string Name => name;
    public override MetricDirection Direction => MetricDirection.LowerIsBetter;
    public override void Reset() => (_sum, _count) = (0, 0);

    public override void Update(Tensor output, Tensor target)
    {
        using var _ = NewDisposeScope();
        var diff = output.reshape(-1).to(ScalarType.Float64) - target.reshape(-1).to(ScalarType.Float64);
        _sum += (squared ? diff.square() : diff.abs()).sum().item<double>();
        _count += diff.shape[0];
    }

    public override double Result() => _count == 0 ? double.NaN : _sum / _count;
}
