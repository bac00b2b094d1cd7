using Microsoft.Data.Sqlite;
using ModelLoop.Tests.Training;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using ModelLoop.Registry;

namespace ModelLoop.Tests.Registry;

/// <summary>
/// SIGKILL a process that writes to the registry or the run store as fast as it can, at random moments,
/// many times; then check that the database is sound and that every write is all there or not there.
/// </summary>
public sealed class KillMidWriteTests : IDisposable
{
    private const string Child = "ModelLoop.Tests.RegistryChild.dll";
    private readonly TempFolder _folder = new();
    private readonly Random _random = new(20_261_123); // seeded: the same kill moments every run

    public void Dispose() => _folder.Dispose();

    private string Home => _folder.File("home");

    [Fact]
    public void KillingARegistryWriterManyTimesLeavesEveryRegistrationAndPromotionWholeOrAbsent()
    {
        var artifact = _folder.File("artifact");
        using (var model = new ModelLoop.Modeling.Sequential(6) { new ModelLoop.Modeling.Layers.Dense(3) })
            ModelArtifact.Save(model, artifact);

        for (var i = 0; i < 8; i++)
            KillMidWrite("registry", "--home", Home, "--artifact", artifact);

        var registry = new ModelRegistry(Home);
        Assert.Equal("ok", registry.CheckIntegrity());
        using var db = Open("registry.db");
        var versions = registry.ListVersions("m");
        Assert.True(versions.Count >= 8, $"only {versions.Count} versions were committed");
        foreach (var version in versions)
        {
            // A registration is the version row, its 3 tags and its alias move, all in one transaction.
            Assert.Equal(3, version.Tags.Count);
            Assert.Equal(1L, Count(db, "SELECT COUNT(*) FROM alias_history WHERE alias = 'champion' AND to_version = $v AND reason = 'registered as version ' || $v", version.Version));
            ModelArtifact.VerifyFiles(version.ArtifactPath, new ArtifactLoadOptions { ExpectedManifestSha256 = version.ManifestSha256 });
        }
        // Every change bumps the counter and adds one history row in the same transaction.
        Assert.Equal(Count(db, "SELECT COUNT(*) FROM alias_history"), registry.ChangeCounter);
        Assert.Equal(versions[^1].Version, registry.GetAliasVersion("m", "champion"));
        Assert.Equal(0L, Count(db, "SELECT COUNT(*) FROM aliases a LEFT JOIN versions v ON v.name = a.name AND v.version = a.version WHERE v.version IS NULL"));
        // Copies left by registrations killed before their commit are unreferenced, and pruning removes only them.
        registry.PruneOrphanedArtifacts(TimeSpan.Zero);
        Assert.Equal(versions.Count, Directory.GetFileSystemEntries(Path.Combine(Home, "artifacts", "m")).Length);
        using (registry.Load("m", "latest")) { }
        // The registry still takes writes after all those kills.
        registry.SetAlias("m", "production", 1, "after the kills");
    }

    [Fact]
    public void KillingARunLoggerManyTimesLeavesEveryStepWholeAndTheRunsMarkedKilled()
    {
        for (var i = 0; i < 12; i++)
            KillMidWrite("runs", "--home", Home);

        var store = new RunStore(Home);
        Assert.Equal("ok", store.CheckIntegrity());
        var runs = store.ListRuns();
        Assert.Equal(12, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Killed, r.Status));
        foreach (var run in runs)
        {
            var metrics = store.GetMetrics(run.Id);
            Assert.Equal(10, metrics.Count);
            var steps = metrics.Values.Select(points => points.Select(p => p.Step).ToList()).ToList();
            // One step's 10 values are one transaction: every metric has exactly the same steps, 1..n without gaps.
            Assert.All(steps, s => Assert.Equal(steps[0], s));
            Assert.Equal(Enumerable.Range(1, steps[0].Count).Select(s => (long)s), steps[0]);
            Assert.All(metrics.Values, points => Assert.All(points, p => Assert.Equal(p.Step, p.Value)));
        }
    }

    [Fact]
    public async Task ATrainerAndAServerWritingAtOnceBothFinishEveryWrite()
    {
        var artifact = _folder.File("artifact");
        using (var model = new ModelLoop.Modeling.Sequential(6) { new ModelLoop.Modeling.Layers.Dense(3) })
            ModelArtifact.Save(model, artifact);
        var registry = new ModelRegistry(Home);
        registry.Register("m", artifact);
        registry.Register("m", artifact);
        using var logger = ChildProcess.StartProgram(Child, "runs", "--home", Home); // another process logging metrics nonstop
        logger.WaitForLine("ready");

        // Two threads in this process as well: promotions, and a server polling the alias.
        // The poller starts first and the promotions wait for its first read, so the two really overlap
        // (on a busy machine the thread pool may otherwise start the poller after the promotions finished).
        using var polling = new ManualResetEventSlim();
        var promote = Task.Run(() =>
        {
            polling.Wait();
            for (var i = 0; i < 100; i++)
                registry.SetAlias("m", "production", 1 + i % 2, $"promotion {i}");
        });
        var polls = 0;
        var poll = Task.Run(() =>
        {
            do
            {
                if (registry.GetAliasVersion("m", "production") is { } seen)
                    Assert.InRange(seen, 1, 2); // a reader sees the old or the new version, never a torn one
                polls++;
                polling.Set();
            }
            while (!promote.IsCompleted);
        });
        await Task.WhenAll(promote, poll);
        logger.Kill();

        Assert.Equal(100, registry.History("m", "production").Count);
        Assert.True(polls > 1, $"the alias was read {polls} time(s) while it moved");
        var run = Assert.Single(new RunStore(Home).ListRuns());
        Assert.True(run.LastMetrics["m0"] >= 1);
    }

    private void KillMidWrite(params string[] arguments)
    {
        using var child = ChildProcess.StartProgram(Child, arguments);
        child.WaitForLine("ready");
        Thread.Sleep(_random.Next(5, 250));
        child.Kill();
    }

    private SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(Home, file)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Count(SqliteConnection connection, string sql, int version = 0)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$v", version);
        return (long)command.ExecuteScalar()!;
    }
}
