using System.Diagnostics;
using Spectre.Console;

namespace ModelLoop.Training.Callbacks;

/// <summary>
/// Shows progress: on a terminal a live line per epoch (batch, ETA, running loss), redrawn a few times a
/// second; otherwise (CI, logs) one line per finished epoch. Added by <c>Fit</c> unless progress is silent.
/// </summary>
public sealed class ProgressDisplay(bool live) : Callback
{
    private readonly Stopwatch _epochClock = new();
    private readonly Stopwatch _trainClock = new();
    private long _lastDraw;
    private bool _interactive;

    public override void OnTrainBegin(TrainingContext context)
    {
        _interactive = live && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        _trainClock.Restart();
    }

    public override void OnEpochBegin(TrainingContext context)
    {
        _epochClock.Restart();
        _lastDraw = 0;
    }

    public override void OnBatchEnd(TrainingContext context)
    {
        if (!_interactive || _epochClock.ElapsedMilliseconds - _lastDraw < 250)
            return;
        _lastDraw = _epochClock.ElapsedMilliseconds;
        var done = context.Batch + 1;
        var eta = TimeSpan.FromSeconds(_epochClock.Elapsed.TotalSeconds / done * (context.BatchesPerEpoch - done));
        var width = 24;
        var filled = (int)(width * done / context.BatchesPerEpoch);
        Console.Write($"\rEpoch {context.Epoch + 1}/{context.Epochs} [{new string('=', filled)}{new string(' ', width - filled)}] {done}/{context.BatchesPerEpoch} ETA {eta:mm\\:ss} loss {context.Logs["loss"]:F4}   ");
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        var logs = string.Join("  ", context.Logs.Where(p => p.Key is not ("seconds" or "lr")).Select(p => $"{p.Key} {p.Value:F4}"));
        var remaining = context.Epochs - context.Epoch - 1;
        var eta = remaining > 0 ? $"  ETA {TimeSpan.FromSeconds(_trainClock.Elapsed.TotalSeconds / (context.Epoch + 1) * remaining):hh\\:mm\\:ss}" : "";
        var line = $"Epoch {context.Epoch + 1}/{context.Epochs}  {context.BatchesPerEpoch} batches  {_epochClock.Elapsed.TotalSeconds:F1}s  {logs}  lr {context.Logs["lr"]:G3}{eta}";
        if (_interactive)
            Console.Write("\r" + new string(' ', Math.Max(0, Console.WindowWidth - 1)) + "\r");
        Console.WriteLine(line);
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (context.StopReason is { } reason)
            Console.WriteLine($"Stopped early: {reason}");
    }
}
