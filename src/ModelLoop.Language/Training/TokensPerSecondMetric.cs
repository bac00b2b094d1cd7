using System.Diagnostics;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Language.Training;

/// <summary>
/// Target tokens per second of wall-clock time from <see cref="Reset"/> or creation (the start of an epoch, or of an evaluation) to
/// <see cref="Result"/>: training throughput in the training logs, evaluation throughput in the val_/test_ ones. A
/// metric so it shows in the progress line, history.csv and the tracked run like loss does.
/// </summary>
internal sealed class TokensPerSecondMetric : Metric
{
    // Started when made: evaluation creates its metrics just before its first batch and never resets them.
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _tokens;
    public override string Name => "tokens_per_second";
    public override MetricDirection Direction => MetricDirection.HigherIsBetter;

    public override void Reset()
    {
        _tokens = 0;
        _clock.Restart();
    }

    public override void Update(Tensor output, Tensor target) => _tokens += target.numel();

    public override double Result() => _tokens == 0 ? double.NaN : _tokens / _clock.Elapsed.TotalSeconds;
}
