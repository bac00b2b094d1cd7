using System.CommandLine;
using System.Globalization;
using ModelLoop.Loop;
using ModelLoop.Native;
using ModelLoop.Optimization.Tuning;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop tune</c>: a hyperparameter search over a training config (<see cref="TuningJob"/>). Prints one line per
/// finished trial; at the end the best trial, the parameter importance and the plots. <c>--workers N</c> starts N−1
/// more processes of the same command in a hidden worker mode on the same study and waits for them.
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var configOption = new Option<string>("--config", "-c") { Description = "The base training config (.yaml/.json); the space's values are set on it.", Required = true };
        var spaceOption = new Option<string>("--space", "-s") { Description = "The search space (.yaml/.json): config field paths (optimizer.learningRate) → {type: float|int|categorical, …}.", Required = true };
        var trialsOption = new Option<int>("--trials", "-n") { Description = "The study's total number of trials (all workers; a resumed study counts its earlier ones). Defaults to 20.", DefaultValueFactory = _ => 20 };
        var workersOption = new Option<int>("--workers", "-w") { Description = "Worker processes on the study at once. Defaults to 1.", DefaultValueFactory = _ => 1 };
        var timeoutOption = new Option<double?>("--timeout") { Description = "Start no new trial after this many seconds. Defaults to no limit." };
        var studyOption = new Option<string?>("--study") { Description = "The study's name; running again with the same name resumes it. Defaults to the space file's name." };
        var samplerOption = new Option<string>("--sampler") { Description = "tpe, random or grid. Defaults to tpe.", DefaultValueFactory = _ => "tpe" };
        var prunerOption = new Option<string>("--pruner") { Description = "median, asha (successive halving, η = 3) or none. Defaults to median.", DefaultValueFactory = _ => "median" };
        var metricOption = new Option<string?>("--metric") { Description = "The epoch metric to optimize and report. Defaults to val_accuracy (classification) or val_loss (regression)." };
        var directionOption = new Option<string?>("--direction") { Description = "maximize or minimize. Defaults to maximize for accuracy, minimize for loss; needed with another --metric." };
        var seedOption = new Option<long?>("--seed") { Description = "The sampler's seed. Defaults to random." };
        var outputOption = new Option<string?>("--output", "-o") { Description = "The study folder: trial runs, summary.json, study.md, plots. Defaults to runs/tune/STUDY." };
        var registerOption = new Option<string?>("--register") { Description = "Register the best trial's model under this name, aliased challenger. Defaults to not registering." };
        var homeOption = RunsTrackingOptions.HomeOption();
        var deviceOption = new Option<ComputeDevice>("--device") { Description = "cpu, cuda or auto. Defaults to auto.", DefaultValueFactory = _ => ComputeDevice.Auto };
        var threadsOption = new Option<int?>("--threads") { Description = "libtorch CPU threads per worker. Defaults to the cores divided among the workers." };
        var workerOption = new Option<bool>("--worker") { Hidden = true };
        var command = new Command("tune", "Search hyperparameters of a training config (TPE, random or grid; median or ASHA pruning), every trial a tracked run; report the best, importance and plots.")
        {
            configOption, spaceOption, trialsOption, workersOption, timeoutOption, studyOption, samplerOption, prunerOption, metricOption, directionOption,
            seedOption, outputOption, registerOption, homeOption, deviceOption, threadsOption, workerOption,
        };
        command.Add(TuneShowCommand.Create());
        command.SetAction(result =>
        {
            var spacePath = result.GetValue(spaceOption)!;
            var workers = result.GetValue(workersOption);
            if (workers < 1)
                throw new ArgumentException($"--workers must be at least 1; received {workers}.");
            var register = result.GetValue(registerOption);
            if (register is not null)
                ModelLoop.Registry.ModelRegistry.CheckName(register);
            var options = new TuningJobOptions
            {
                Config = TrainingConfig.Load(result.GetValue(configOption)!),
                Space = SearchSpace.Load(spacePath),
                Study = result.GetValue(studyOption) ?? Path.GetFileNameWithoutExtension(spacePath),
                Trials = result.GetValue(trialsOption),
                Timeout = result.GetValue(timeoutOption) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                Sampler = TuningJob.ParseSampler(result.GetValue(samplerOption)!, result.GetValue(seedOption)),
                Pruner = TuningJob.ParsePruner(result.GetValue(prunerOption)!),
                Metric = result.GetValue(metricOption),
                Direction = result.GetValue(directionOption) is { } direction ? TuningJob.ParseDirection(direction) : null,
                OutputDirectory = result.GetValue(outputOption),
                Home = ModelLoop.Storage.ModelLoopHome.Resolve(result.GetValue(homeOption)),
                Device = result.GetValue(deviceOption),
            };
            var study = TuningJob.Open(options);
            if (DataSource.ResolveSource(options.Config.Data.Source) == ModelLoop.Data.FashionMnist.DefaultDirectory)
                FashionMnistInstaller.Ensure(ModelLoop.Data.FashionMnist.DefaultDirectory);
            TorchRuntime.EnsureLoaded();
            TorchRuntime.Threads = result.GetValue(threadsOption) ?? Math.Max(1, Environment.ProcessorCount / workers);
            var isWorker = result.GetValue(workerOption);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            options = options with { OnTrialFinished = (trial, trials) => Line(TuneProgress.Line(trial, trials, study, options.Trials, workers, clock.Elapsed)) };
            if (!isWorker)
                Line($"study {study.Name}: {study.Direction.ToString().ToLowerInvariant()} {study.Info.Metric}, {options.Trials} trials, " +
                    $"{options.Sampler.GetType().Name} (seed {options.Sampler.Seed}), {options.Pruner?.GetType().Name ?? "no pruner"}, {workers} worker(s); storage {study.Storage.Path}");
            using var others = isWorker ? null : TuneWorkers.Start(workers - 1, result.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value).ToArray());
            TuningJob.Work(study, options);
            if (isWorker)
                return 0;
            others?.WaitForAll();
            var summary = TuningJob.Summarize(study, options);
            Print(summary, study);
            if (register is not null)
            {
                var version = TuningJob.RegisterBest(summary, register, options.Home);
                Line($"registered {version.Name} v{version.Version} (challenger) from trial {summary.Best!.Number}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>One unwrapped line to the console's output (trial lines are long; the console would fold them at 80 columns when redirected).</summary>
    private static void Line(string text) => AnsiConsole.Profile.Out.Writer.WriteLine(text);

    private static void Print(StudySummary summary, Study study)
    {
        var counts = string.Join(", ", Enum.GetValues<TrialState>().Select(s => $"{summary.Trials.Count(t => t.State == s)} {s.ToString().ToLowerInvariant()}"));
        Line($"study {summary.Study}: {summary.Trials.Count} trials ({counts})");
        if (summary.Best is { } best)
            Line($"best trial {best.Number}: {study.Info.Metric} {best.Value!.Value.ToString("G5", CultureInfo.InvariantCulture)}; {StudyReport.Params(best)}; run {best.RunId ?? "-"}; package {best.Package ?? "-"}");
        else
            Line("no trial completed" + (summary.Trials.FirstOrDefault(t => t.Error is not null)?.Error is { } error ? $"; first error: {error}" : ""));
        if (summary.Importance.Count > 0)
            Line("importance: " + string.Join(", ", summary.Importance.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F2}"))));
        foreach (var file in summary.Files)
            Line($"wrote {Path.GetFullPath(file)}");
    }
}
