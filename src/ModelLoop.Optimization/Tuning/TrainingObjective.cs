using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Training;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// The objective of a training study: each trial is a <see cref="TrainingJob"/> of the base config with the trial's
/// values — a tracked run named tune-STUDY-N whose parameters name the study, the trial and each sampled value, in
/// its own folder under the study's — reporting the study's metric every epoch through a <see cref="TrialReporter"/>.
/// The trial's value is the metric at its last epoch (its best epoch when early stopping restores best weights).
/// The data is loaded once and reused while trials leave data.* and initFrom alone.
/// </summary>
public sealed class TrainingObjective(Study study, TrainingObjectiveOptions? options = null) : IDisposable
{
    private readonly TrainingObjectiveOptions _options = options ?? new TrainingObjectiveOptions();
    private (string Key, LoadedData Data)? _cached;

    /// <summary>Runs trial <paramref name="trial"/>; pass as <c>study.Optimize(objective.Run)</c>.</summary>
    /// <exception cref="TrialPrunedException">The pruner stopped it.</exception>
    public double Run(Trial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var config = trial.Config();
        var reporter = new TrialReporter(trial, study.Info.Metric, study.Direction);
        var parameters = new Dictionary<string, string>
        {
            ["command"] = "tune",
            ["study"] = study.Name,
            ["trial"] = trial.Number.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (path, value) in trial.Params)
            parameters["param." + path] = value?.ToJsonString() ?? "null";
        var jobOptions = new TrainingJobOptions
        {
            OutputDirectory = Path.Combine(_options.OutputDirectory, $"trial-{trial.Number:D4}"),
            Home = _options.Home,
            Track = _options.Track,
            RunName = $"tune-{study.Name}-{trial.Number}",
            Parameters = parameters,
            Callbacks = [reporter],
            Device = _options.Device,
            Progress = ProgressMode.Silent,
        };
        var result = config.InitFrom is null ? TrainingJob.Run(config, Data(config), jobOptions) : TrainingJob.Run(config, jobOptions);
        trial.RunId = result.RunId;
        trial.Package = Path.GetFullPath(result.PackagePath); // other workers and the registry may run elsewhere
        if (reporter.Pruned)
            throw new TrialPrunedException(result.History.StopReason ?? "pruned");
        if (reporter.Reported.Count == 0)
            throw new StudySetupException($"The run logged no '{study.Info.Metric}'.");
        // The value of the model the run kept: the best epoch's when early stopping restored its weights.
        if (config.EarlyStopping is { RestoreBestWeights: true } early && reporter.BestEpoch(early.Monitor) is { } best && reporter.Reported.TryGetValue(best, out var kept))
            return kept;
        return reporter.Reported.Values.Last();
    }

    /// <summary>The config's data, loaded once per distinct data section (trials that leave data.* alone share one load).</summary>
    private LoadedData Data(TrainingConfig config)
    {
        var key = $"{config.Task}|{config.ToJsonNode()["data"]?.ToJsonString()}";
        if (_options.Data is { } given && key == $"{study.Options.BaseConfig.Task}|{study.Options.BaseConfig.ToJsonNode()["data"]?.ToJsonString()}")
            return given;
        if (_cached is { } cached && cached.Key == key)
            return cached.Data;
        _cached?.Data.Dispose();
        _options.Log?.Invoke($"loading {config.Data.Source}");
        var data = DataSource.Load(config.Data, config.Task);
        _cached = (key, data);
        return data;
    }

    public void Dispose()
    {
        _cached?.Data.Dispose();
        _cached = null;
    }
}
