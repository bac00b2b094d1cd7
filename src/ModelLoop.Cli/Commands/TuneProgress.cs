using System.Globalization;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Cli.Commands;

/// <summary>The one line `modelloop tune` prints per finished trial: number, state, value, values, best so far and ETA.</summary>
internal static class TuneProgress
{
    public static string Line(TrialRecord trial, IReadOnlyList<TrialRecord> trials, Study study, int budget, int workers, TimeSpan elapsed)
    {
        var best = trials.Where(t => t.State == TrialState.Complete && t.Value is not null)
            .OrderBy(t => study.Direction == StudyDirection.Maximize ? -t.Value!.Value : t.Value!.Value).FirstOrDefault();
        var done = trials.Count(t => t.IsFinished && !t.Abandoned);
        var durations = trials.Where(t => t.Duration is not null && !t.Abandoned).Select(t => t.Duration!.Value.TotalSeconds).ToList();
        var left = Math.Max(0, budget - done);
        var eta = durations.Count == 0 ? "?" : TimeSpan.FromSeconds(Math.Round(durations.Average() * left / workers)).ToString("c", CultureInfo.InvariantCulture);
        var value = trial.Value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";
        var bestText = best is null ? "-" : $"{best.Value!.Value.ToString("F4", CultureInfo.InvariantCulture)} (#{best.Number})";
        var error = trial.State == TrialState.Fail && trial.Error is { } e ? $" error: {e}" : "";
        return $"trial {trial.Number,3} {trial.State.ToString().ToUpperInvariant(),-8} {study.Info.Metric}={value} [{StudyReport.Params(trial)}] best {bestText} {done}/{budget} ETA {eta}{error}";
    }
}
