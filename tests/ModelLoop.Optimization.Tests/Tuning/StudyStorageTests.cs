using System.Text.Json.Nodes;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

public sealed class StudyStorageTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-tuning-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Db => Path.Combine(_folder.FullName, "studies.db");

    private static readonly SearchSpace Space = InMemoryStudy.Space("""{ "l2": { "type": "float", "low": 0, "high": 1 } }""");

    private static StudyOptions Options(long seed) => new() { Direction = StudyDirection.Minimize, Metric = "loss", Sampler = new RandomSampler(seed) };

    private static double Objective(Trial trial)
    {
        trial.Report(1, trial.GetNumber("l2") + 1);
        return trial.GetNumber("l2");
    }

    [Fact]
    public void Two_concurrent_workers_on_one_study_get_distinct_trial_numbers()
    {
        var ran = new IReadOnlyList<TrialRecord>[2];
        var workers = Enumerable.Range(0, 2).Select(w => new Thread(() =>
            ran[w] = Study.Open(new StudyStorage(Db), "shared", Space, Options(w)).Optimize(trial =>
            {
                Thread.Sleep(20); // long enough for the two workers to overlap
                return Objective(trial);
            }, new OptimizeOptions { Trials = 16, WorkerId = $"worker-{w}" }))).ToArray();
        foreach (var worker in workers)
            worker.Start();
        foreach (var worker in workers)
            worker.Join();

        var trials = Study.Load(new StudyStorage(Db), "shared").Trials();
        Assert.Equal(Enumerable.Range(0, 16), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        // Which worker ran how many depends on the scheduler; together they ran each trial once.
        Assert.Equal(16, ran.Sum(r => r.Count));
        Assert.Equal(trials.Select(t => t.Worker).Order(), ran.SelectMany((r, w) => r.Select(_ => $"worker-{w}")).Order());
    }

    [Fact]
    public void A_reopened_storage_keeps_its_trials_and_a_resumed_study_continues_numbering()
    {
        Study.Open(new StudyStorage(Db), "resume", Space, Options(1)).Optimize(Objective, new OptimizeOptions { Trials = 3 });

        var reopened = Study.Open(new StudyStorage(Db), "resume", Space, Options(1));
        Assert.Equal(3, reopened.Trials().Count);
        Assert.All(reopened.Trials(), t => Assert.Single(t.Intermediate));
        reopened.Optimize(Objective, new OptimizeOptions { Trials = 5 });

        Assert.Equal(Enumerable.Range(0, 5), reopened.Trials().Select(t => t.Number));
        Assert.Equal("ok", reopened.Storage.CheckIntegrity());
    }

    [Fact]
    public void Resuming_with_another_space_or_direction_is_refused()
    {
        Study.Open(new StudyStorage(Db), "fixed", Space, Options(1));

        var otherSpace = InMemoryStudy.Space("""{ "l2": { "type": "float", "low": 0, "high": 2 } }""");
        Assert.Contains("search space", Assert.Throws<ArgumentException>(() => Study.Open(new StudyStorage(Db), "fixed", otherSpace, Options(1))).Message, StringComparison.Ordinal);
        Assert.Contains("Minimize", Assert.Throws<ArgumentException>(() =>
            Study.Open(new StudyStorage(Db), "fixed", Space, Options(1) with { Direction = StudyDirection.Maximize })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_running_trial_whose_heartbeat_went_stale_is_failed_and_not_counted()
    {
        var storage = new StudyStorage(Db);
        var study = Study.Open(storage, "stale", Space, Options(1));
        var orphan = storage.StartTrial(study.Info.Id, "killed-worker", 10, TimeSpan.FromHours(1), (_, _) => new Dictionary<string, JsonNode?> { ["l2"] = 0.5 })!;

        Thread.Sleep(300);
        study.Optimize(Objective, new OptimizeOptions { Trials = 3, WaitForOthers = false });
        Assert.Equal(TrialState.Running, study.Trials().Single(t => t.Number == orphan.Number).State); // 60 s default: still alive

        var impatient = Study.Open(storage, "stale", Space, Options(1) with { StaleAfter = TimeSpan.FromMilliseconds(100) });
        impatient.Optimize(Objective, new OptimizeOptions { Trials = 3 });
        var trials = impatient.Trials();
        var failed = trials.Single(t => t.Number == orphan.Number);
        Assert.Equal(TrialState.Fail, failed.State);
        Assert.True(failed.Abandoned);
        Assert.Contains("killed-worker", failed.Error, StringComparison.Ordinal);
        Assert.Equal(3, trials.Count(t => t.State == TrialState.Complete));
    }

    [Fact]
    public void A_trial_that_throws_fails_with_its_error_and_the_study_goes_on()
    {
        var study = Study.Open(new StudyStorage(Db), "faulty", Space, Options(2));

        study.Optimize(trial => trial.Number == 1 ? throw new InvalidDataException("bad batch at row 7") : Objective(trial), new OptimizeOptions { Trials = 4 });

        var trials = study.Trials();
        Assert.Equal(4, trials.Count);
        Assert.Equal(TrialState.Fail, trials[1].State);
        Assert.Contains("bad batch at row 7", trials[1].Error, StringComparison.Ordinal);
        Assert.Equal(3, trials.Count(t => t.State == TrialState.Complete));
    }

    [Fact]
    public void A_pruned_trial_keeps_its_last_reported_value()
    {
        var study = Study.Open(new StudyStorage(Db), "pruned", Space, Options(3) with { Pruner = new MedianPruner { StartupTrials = 1 } });

        study.Optimize(trial =>
        {
            var value = trial.Number == 0 ? 0.0 : 10.0;
            for (var step = 1; step <= 3; step++)
            {
                trial.Report(step, value + step);
                if (trial.ShouldPrune())
                    throw new TrialPrunedException("worse than the median");
            }
            return value + 3;
        }, new OptimizeOptions { Trials = 2 });

        var pruned = study.Trials()[1];
        Assert.Equal(TrialState.Pruned, pruned.State);
        Assert.Equal(11.0, pruned.Value);
        Assert.Single(pruned.Intermediate);
    }
}
