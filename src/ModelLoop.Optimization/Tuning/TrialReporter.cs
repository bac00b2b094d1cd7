using System.Globalization;
using ModelLoop.Training;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// The callback that ties a training run to its trial: after each epoch it reports the study's metric (step = epoch,
/// from 1) and asks the pruner; a prune verdict stops training after that epoch with a stop reason. Before epoch 1
/// it checks that the run logs the metric and that the metric improves in the study's direction.
/// </summary>
public sealed class TrialReporter(Trial trial, string metric, StudyDirection direction) : Callback
{
    /// <summary>True once the pruner stopped the run.</summary>
    public bool Pruned { get; private set; }

    /// <summary>Step → value reported so far.</summary>
    public IReadOnlyDictionary<int, double> Reported => trial.Reported;

    private readonly List<IReadOnlyDictionary<string, double>> _epochs = [];
    private Func<string, MetricDirection?> _directions = _ => null;

    /// <summary>The epoch (from 1) where <paramref name="monitor"/> was best, or null when it was not logged or has no direction.</summary>
    public int? BestEpoch(string monitor)
    {
        if (_directions(monitor) is not { } improves)
            return null;
        var logged = _epochs.Select((logs, i) => (Epoch: i + 1, Value: logs.TryGetValue(monitor, out var v) ? v : double.NaN)).Where(p => !double.IsNaN(p.Value)).ToList();
        if (logged.Count == 0)
            return null;
        return (improves == MetricDirection.HigherIsBetter ? logged.MaxBy(p => p.Value) : logged.MinBy(p => p.Value)).Epoch;
    }

    public override void OnTrainBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Pruned = false;
        _epochs.Clear();
        _directions = context.DirectionOf;
        if (!context.LogKeys.Contains(metric))
            throw new StudySetupException($"The study's metric '{metric}' is not logged by this run; it logs {string.Join(", ", context.LogKeys)}. " +
                "Pass --metric with one of those (val_* needs data.validation > 0).");
        if (context.DirectionOf(metric) is { } improves && improves == MetricDirection.HigherIsBetter != (direction == StudyDirection.Maximize))
            throw new StudySetupException($"'{metric}' is {(improves == MetricDirection.HigherIsBetter ? "higher" : "lower")}-is-better, but the study {direction.ToString().ToLowerInvariant()}s it. " +
                $"Pass --direction {(improves == MetricDirection.HigherIsBetter ? "maximize" : "minimize")}.");
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _epochs.Add(new Dictionary<string, double>(context.Logs));
        if (!context.Logs.TryGetValue(metric, out var value))
            return;
        var step = context.Epoch + 1;
        trial.Report(step, value);
        if (trial.ShouldPrune())
        {
            Pruned = true;
            context.StopTraining = true;
            context.StopReason = string.Create(CultureInfo.InvariantCulture, $"pruned by the study's pruner at epoch {step} ({metric} {value:G4})");
        }
    }
}
