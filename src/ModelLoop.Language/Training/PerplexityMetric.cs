using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Language.Training;

/// <summary>
/// exp(mean next-token cross-entropy) over every position of every batch: the number of equally likely tokens the model
/// is as unsure as. Logits (B, T, V) or (N, V), targets (B, T) or (N).
/// </summary>
internal sealed class PerplexityMetric : Metric
{
    private double _sum;
    private long _count;
    public override string Name => "perplexity";
    public override MetricDirection Direction => MetricDirection.LowerIsBetter;
    public override void Reset() => (_sum, _count) = (0, 0);

    public override void Update(Tensor output, Tensor target)
    {
        using var _ = NewDisposeScope();
        var logits = output.reshape(-1, output.shape[^1]).to(ScalarType.Float32); // (B·T, V); bfloat16 logits scored in float32
        var targets = target.reshape(-1);                                          // (B·T)
        _sum += nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum).item<float>();
        _count += targets.shape[0];
    }

    public override double Result() => _count == 0 ? double.NaN : Math.Exp(_sum / _count);
}
