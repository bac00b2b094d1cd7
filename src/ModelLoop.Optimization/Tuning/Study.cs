using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// A named search in a <see cref="StudyStorage"/>: <see cref="Optimize"/> starts trials (values from the sampler),
/// runs the objective on each, and stores every result before starting the next. Opening a study that exists resumes
/// it; several processes may optimize one study at once.
/// </summary>
public sealed class Study
{
    private readonly JsonObject _baseJson;

    private Study(StudyStorage storage, StudyInfo info, SearchSpace space, StudyOptions options)
    {
        Storage = storage;
        Info = info;
        Space = space;
        Options = options;
        _baseJson = (JsonObject)options.BaseConfig.ToJsonNode();
    }

    public StudyStorage Storage { get; }
    public StudyInfo Info { get; }
    public string Name => Info.Name;
    public StudyDirection Direction => Info.Direction;
    public SearchSpace Space { get; }
    public StudyOptions Options { get; }

    /// <summary>Creates the study or resumes the stored one of that name.</summary>
    /// <exception cref="ArgumentException">The sampler cannot search the space, or the stored study has another direction, metric or space.</exception>
    public static Study Open(StudyStorage storage, string name, SearchSpace space, StudyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(space);
        options ??= new StudyOptions();
        options.Sampler.Check(space);
        return new Study(storage, storage.CreateOrOpen(name, options.Direction, options.Metric, space), space, options);
    }

    /// <summary>Opens a stored study to read it (its space as stored).</summary>
    /// <exception cref="KeyNotFoundException">No study of that name; the message lists the stored ones.</exception>
    public static Study Load(StudyStorage storage, string name)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var info = storage.Find(name) ?? throw new KeyNotFoundException(
            $"There is no study '{name}' in {storage.Path}; stored studies: {string.Join(", ", storage.ListStudies().Select(s => s.Name).DefaultIfEmpty("none"))}.");
        return new Study(storage, info, SearchSpace.Parse(System.Text.Json.Nodes.JsonNode.Parse(info.Space), name), new StudyOptions { Direction = info.Direction, Metric = info.Metric });
    }

    /// <summary>Every trial, by number.</summary>
    public IReadOnlyList<TrialRecord> Trials() => Storage.GetTrials(Info.Id);

    /// <summary>The complete trial with the best value, or null.</summary>
    public TrialRecord? BestTrial() => Best(Trials(), Direction);

    internal static TrialRecord? Best(IEnumerable<TrialRecord> trials, StudyDirection direction)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is not null);
        return direction == StudyDirection.Maximize
            ? complete.OrderByDescending(t => t.Value).ThenBy(t => t.Number).FirstOrDefault()
            : complete.OrderBy(t => t.Value).ThenBy(t => t.Number).FirstOrDefault();
    }

    /// <summary>
    /// Runs trials until the study has <see cref="OptimizeOptions.Trials"/> (counting every worker's), the timeout
    /// passes or the sampler has nothing left. A trial whose objective throws is FAIL with its error and the study goes
    /// on; <see cref="TrialPrunedException"/> makes it PRUNED. Returns the trials this worker ran.
    /// </summary>
    public IReadOnlyList<TrialRecord> Optimize(Func<Trial, double> objective, OptimizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new OptimizeOptions();
        if (options.Trials < 1)
            throw new ArgumentException($"A study needs at least 1 trial; received {options.Trials}.");
        var clock = Stopwatch.StartNew();
        var ran = new List<TrialRecord>();
        while (options.Timeout is not { } timeout || clock.Elapsed < timeout)
        {
            var record = Storage.StartTrial(Info.Id, options.WorkerId, options.Trials, Options.StaleAfter,
                (trials, number) => Options.Sampler.Sample(Space, trials, Direction, number, _baseJson));
            if (record is null)
            {
                // The budget is spent; other workers' running trials may still fail stale and free a place.
                if (!options.WaitForOthers || !Trials().Any(t => t.State == TrialState.Running))
                    break;
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(1000, Options.HeartbeatInterval.TotalMilliseconds)));
                continue;
            }
            var finished = Run(objective, record);
            ran.Add(finished);
            options.OnTrialFinished?.Invoke(finished, Trials());
        }
        return ran;
    }

    private TrialRecord Run(Func<Trial, double> objective, TrialRecord record)
    {
        var trial = new Trial(this, record);
        using (new Timer(_ =>
        {
            try
            {
                Storage.Heartbeat(trial.Id);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // A missed beat is retried at the next tick; only a whole StaleAfter without one fails the trial.
            }
        }, null, Options.HeartbeatInterval, Options.HeartbeatInterval))
        {
            try
            {
                var value = objective(trial);
                if (double.IsFinite(value))
                    Storage.Finish(trial.Id, TrialState.Complete, value, null, trial.RunId, trial.Package);
                else
                    Storage.Finish(trial.Id, TrialState.Fail, null, $"The objective returned {value}; a trial's value must be a finite number.", trial.RunId, trial.Package);
            }
            catch (TrialPrunedException)
            {
                Storage.Finish(trial.Id, TrialState.Pruned, trial.LastReported, null, trial.RunId, trial.Package);
            }
            catch (StudySetupException e)
            {
                Storage.Finish(trial.Id, TrialState.Fail, null, e.Message, trial.RunId, trial.Package);
                throw;
            }
            catch (Exception e)
            {
                Storage.Finish(trial.Id, TrialState.Fail, null, $"{e.GetType().Name}: {e.Message}", trial.RunId, trial.Package);
            }
        }
        return Trials().Single(t => t.Number == trial.Number);
    }
}
