using System.Text.Json.Nodes;
using ModelLoop.Loop;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// A running trial as its objective sees it: the values to try, <see cref="Report"/> for per-step values, and
/// <see cref="ShouldPrune"/> to ask the study's pruner. Every report is committed (with a heartbeat) before it returns.
/// </summary>
public sealed class Trial
{
    private readonly Study _study;
    private readonly SortedDictionary<int, double> _reported = [];

    internal Trial(Study study, TrialRecord record)
    {
        _study = study;
        Id = record.Id;
        Number = record.Number;
        Params = record.Params;
    }

    internal long Id { get; }
    public int Number { get; }
    /// <summary>Field path → value, for the parameters whose conditions held.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Params { get; }
    public string StudyName => _study.Name;
    /// <summary>The last reported value, or null.</summary>
    public double? LastReported => _reported.Count == 0 ? null : _reported.Last().Value;
    /// <summary>Every reported step → value.</summary>
    public IReadOnlyDictionary<int, double> Reported => _reported;

    /// <summary>The study's base config with this trial's values applied and validated.</summary>
    public TrainingConfig Config() => SearchSpace.Apply(_study.Options.BaseConfig, Params);

    /// <summary>The tracked run and model package the objective produced, stored with the trial's result. Defaults to null.</summary>
    public string? RunId { get; set; }
    /// <inheritdoc cref="RunId"/>
    public string? Package { get; set; }

    /// <summary>A number parameter's value (float or int), for objectives that are not training configs.</summary>
    public double GetNumber(string path) => ParameterDistribution.AsNumber(Params[path]) ?? throw new ArgumentException($"The trial's '{path}' is {Params[path]?.ToJsonString()}, not a number.");

    /// <summary>Stores the value at <paramref name="step"/> (e.g. the epoch, from 1).</summary>
    public void Report(int step, double value)
    {
        _reported[step] = value;
        _study.Storage.Report(Id, step, value);
    }

    /// <summary>The pruner's verdict on the values reported so far; false without a pruner.</summary>
    public bool ShouldPrune()
    {
        if (_study.Options.Pruner is not { } pruner || _reported.Count == 0)
            return false;
        var trials = _study.Trials();
        var self = trials.Single(t => t.Number == Number);
        return pruner.ShouldPrune(self, trials, _study.Direction);
    }
}
