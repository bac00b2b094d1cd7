using ModelLoop.Monitoring.Retraining;
using ModelLoop.Registry;
using ModelLoop.Tests.Training;
using Xunit.Abstractions;

namespace ModelLoop.Monitoring.Tests.Retraining;

/// <summary>
/// A retraining job killed with SIGKILL at random moments — while cutting the feedback, training, registering,
/// comparing or moving aliases — and run again, ends with one job, one challenger and exactly one promotion.
/// </summary>
public sealed class RetrainingKillTests(ITestOutputHelper output) : IDisposable
{
    private const string Child = "ModelLoop.Monitoring.Tests.RetrainChild.dll";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "modelloop-retrain-kill-" + Guid.NewGuid().ToString("N"));
    private string Home => Path.Combine(_folder, "home");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void KillingARetrainingJobAtRandomMomentsAndRunningItAgainPromotesExactlyOnce()
    {
        ShiftedTable.TrainChampion(Home, _folder);
        var feedback = ShiftedTable.Write(Path.Combine(_folder, "feedback.csv"), 200, shifted: true, seed: 5);
        var policy = Path.Combine(_folder, "policy.json");
        File.WriteAllText(policy, new RetrainingPolicy { Mode = RetrainMode.Retrain, MinHoldout = 30, PromotionTolerance = 0.02 }.ToJson());
        string[] arguments = ["--home", Home, "--model", ShiftedTable.Model, "--feedback", feedback, "--policy", policy, "--pause-ms", "250"];
        var store = new RetrainingStore(Home);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = new List<string>();

        for (var round = 0; round < 6 && store.Latest(ShiftedTable.Model) is not { IsFinished: true }; round++)
        {
            using var child = ChildProcess.StartProgram(Child, arguments);
            var delay = random.Next(500, 5000);
            Thread.Sleep(delay);
            child.Kill();
            kills.Add($"{delay} ms → {store.Latest(ShiftedTable.Model)?.State.ToString() ?? "no job"}");
        }
        if (store.Latest(ShiftedTable.Model) is not { IsFinished: true })
        {
            using var last = ChildProcess.StartProgram(Child, arguments);
            Assert.Contains("state Promoted", last.WaitForExit());
        }

        var context = $"seed {seed}, kills: {string.Join("; ", kills)}";
        output.WriteLine(context);
        var job = Assert.Single(store.List(ShiftedTable.Model));
        Assert.True(job.State == RetrainingJobState.Promoted, $"{job.State}: {job.Decision} ({context})");
        var registry = new ModelRegistry(Home);
        var challengers = registry.ListVersions(ShiftedTable.Model).Where(v => v.Tags.ContainsKey(RetrainingJob.JobTag)).ToList();
        Assert.True(challengers.Count == 1, $"{challengers.Count} challengers registered ({context})");
        foreach (var alias in ChallengerPromotion.DefaultAliases)
        {
            var moves = registry.History(ShiftedTable.Model, alias).Where(c => c.Actor == RetrainingJob.Actor).ToList();
            Assert.True(moves.Count == 1, $"'{alias}' moved {moves.Count} times by the job ({context})");
            Assert.Equal(challengers[0].Version, moves[0].ToVersion);
        }
        Assert.Equal(challengers[0].Version, registry.GetAliasVersion(ShiftedTable.Model, "production"));
        Assert.Equal("ok", store.CheckIntegrity());
        Assert.Equal("ok", registry.CheckIntegrity());
    }
}
