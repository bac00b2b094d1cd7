using ModelLoop.Registry;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// A hyperparameter search over a <see cref="Loop.TrainingConfig"/>, in three steps so several processes can share one
/// study: <see cref="Open"/> checks everything before any trial runs and creates or resumes the study (in HOME/studies.db),
/// <see cref="Work"/> runs this worker's trials (each a tracked <see cref="Loop.TrainingJob"/>), and
/// <see cref="Summarize"/> writes the summary and plots; <see cref="RegisterBest"/> puts the best trial's package in the registry.
/// </summary>
public static class TuningJob
{
    /// <summary>Checks the space against the config, the metric and direction, and the sampler; creates or resumes the study.</summary>
    /// <exception cref="ArgumentException">Bad input; the message names the field or option.</exception>
    /// <exception cref="FormatException">A space value of the wrong type for its field.</exception>
    public static Study Open(TuningJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Config.Validate();
        options.Space.CheckAgainst(options.Config);
        if (options.Trials < 1)
            throw new ArgumentException($"trials must be at least 1; received {options.Trials}.");
        var (metric, direction) = MetricAndDirection(options);
        var storage = new StudyStorage(StudyStorage.DefaultPath(options.Home));
        return Study.Open(storage, options.Study, options.Space, new StudyOptions
        {
            Direction = direction,
            Metric = metric,
            Sampler = options.Sampler,
            Pruner = options.Pruner,
            BaseConfig = options.Config,
            StaleAfter = options.StaleAfter,
        });
    }

    /// <summary>Runs trials in this process until the study's budget is spent or the timeout passes; returns the trials it ran.</summary>
    public static IReadOnlyList<TrialRecord> Work(Study study, TuningJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(options);
        using var objective = new TrainingObjective(study, new TrainingObjectiveOptions { OutputDirectory = options.Output, Home = options.Home, Device = options.Device });
        return study.Optimize(objective.Run, new OptimizeOptions
        {
            Trials = options.Trials,
            Timeout = options.Timeout,
            OnTrialFinished = options.OnTrialFinished,
            // With a timeout a worker stops when it passes; it does not wait on the others' last trials.
            WaitForOthers = options.Timeout is null,
        });
    }

    /// <summary>Writes summary.json, study.md and the plots into the study folder.</summary>
    public static StudySummary Summarize(Study study, TuningJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StudyReport.Write(study, options.Output);
    }

    /// <summary>Registers the best trial's package under <paramref name="name"/> with the alias challenger, tagged with the study and trial.</summary>
    /// <exception cref="InvalidOperationException">No trial completed with a package.</exception>
    public static ModelVersion RegisterBest(StudySummary summary, string name, string? home)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Best is not { Package: { } package } best)
            throw new InvalidOperationException($"The study '{summary.Study}' has no complete trial with a model package to register; run more trials or look at the failed ones (modelloop tune show {summary.Study}).");
        return new ModelRegistry(home).Register(name, package, new RegisterOptions
        {
            Aliases = ["challenger"],
            Description = $"Best trial {best.Number} of study {summary.Study}: {StudyReport.Params(best)}",
            Tags = new Dictionary<string, string>
            {
                ["study"] = summary.Study,
                ["trial"] = best.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["value"] = best.Value!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["run"] = best.RunId ?? "",
            },
        });
    }

    /// <summary>The metric and direction: given, or the task's validation accuracy (maximize) or loss (minimize).</summary>
    private static (string Metric, StudyDirection Direction) MetricAndDirection(TuningJobOptions options)
    {
        var prefix = options.Config.Data.Validation > 0 ? "val_" : "";
        var defaultMetric = prefix + (options.Config.Task == Artifacts.ModelTask.Classification ? "accuracy" : "loss");
        var metric = options.Metric ?? defaultMetric;
        if (options.Direction is { } direction)
            return (metric, direction);
        if (metric == prefix + "accuracy")
            return (metric, StudyDirection.Maximize);
        if (metric == prefix + "loss")
            return (metric, StudyDirection.Minimize);
        throw new ArgumentException($"The metric '{metric}' needs a direction: pass --direction maximize or --direction minimize (the default metric is {defaultMetric}).");
    }

    /// <summary>Parses "tpe", "random" or "grid".</summary>
    public static Sampler ParseSampler(string name, long? seed) => name.Trim().ToLowerInvariant() switch
    {
        "tpe" => new TpeSampler(seed),
        "random" => new RandomSampler(seed),
        "grid" => new GridSampler(seed),
        _ => throw new ArgumentException($"--sampler '{name}' is not a sampler; choose tpe, random or grid."),
    };

    /// <summary>Parses "median", "asha" (or "successive-halving") or "none".</summary>
    public static Pruner? ParsePruner(string name) => name.Trim().ToLowerInvariant() switch
    {
        "median" => new MedianPruner(),
        "asha" or "successive-halving" or "sha" => new SuccessiveHalvingPruner(),
        "none" => null,
        _ => throw new ArgumentException($"--pruner '{name}' is not a pruner; choose median, asha or none."),
    };

    /// <summary>Parses "maximize" or "minimize".</summary>
    public static StudyDirection ParseDirection(string name) => name.Trim().ToLowerInvariant() switch
    {
        "maximize" or "max" => StudyDirection.Maximize,
        "minimize" or "min" => StudyDirection.Minimize,
        _ => throw new ArgumentException($"--direction '{name}' is not a direction; choose maximize or minimize."),
    };
}
