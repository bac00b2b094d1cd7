using System.Diagnostics;
using ModelLoop.Tests.Training;
using Microsoft.Data.Sqlite;
using ModelLoop.Tracking;

namespace ModelLoop.Tests.Tracking;

public sealed class RunStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RunStore _store;

    public RunStoreTests() => _store = new RunStore(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void RunIdsUseTheGregorianYearWhateverTheCurrentCulture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("th-TH"); // Buddhist calendar: 2026 is 2569
        string id;
        try
        {
            id = _store.StartRun("mlp");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }

        Assert.StartsWith(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), id);
        Assert.Matches(@"^\d{8}-\d{6}-[0-9a-f]{6}$", id);
    }

    [Fact]
    public void ARunKeepsItsParametersMetricsArtifactsAndFinalStatus()
    {
        var id = _store.StartRun("mlp", new Dictionary<string, string> { ["lr"] = "0.01" }, "sha256:data");
        _store.LogMetrics(id, 1, new Dictionary<string, double> { ["loss"] = 0.9, ["accuracy"] = 0.6 });
        _store.LogMetrics(id, 2, new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.8 });
        _store.LogParameters(id, new Dictionary<string, string> { ["epochs"] = "2" });
        _store.LogArtifact(id, "model", _folder.File("artifact"), "abc");
        _store.EndRun(id, RunStatus.Finished);

        var run = _store.GetRun(id);

        Assert.Equal(("mlp", RunStatus.Finished, "sha256:data"), (run.Name, run.Status, run.DatasetManifestHash));
        Assert.Equal(("0.01", "2"), (run.Parameters["lr"], run.Parameters["epochs"]));
        Assert.Equal(0.8, run.LastMetrics["accuracy"]);
        Assert.Equal([0.9, 0.5], _store.GetMetrics(id)["loss"].Select(p => p.Value));
        Assert.Equal("abc", Assert.Single(run.Artifacts).Sha256);
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), run.SystemInfo["cores"]);
        Assert.NotNull(run.EndedUtc);
    }

    [Fact]
    public void ARunIsFoundByAUniquePrefixOfItsId()
    {
        var id = _store.StartRun("a");

        Assert.Equal(id, _store.GetRun(id[..^3]).Id);
        Assert.Throws<KeyNotFoundException>(() => _store.GetRun("no-such-run"));
    }

    [Fact]
    public void ARunWhoseProcessIsGoneShowsAsKilledAndOursStaysRunning()
    {
        var ours = _store.StartRun("alive");
        var theirs = _store.StartRun("dead");
        using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        PretendOwnedBy(theirs, child.Id);

        var runs = _store.ListRuns().ToDictionary(r => r.Id);

        Assert.Equal(RunStatus.Running, runs[ours].Status);
        Assert.Equal(RunStatus.Killed, runs[theirs].Status);
        Assert.Contains("killed", runs[theirs].Error);
    }

    [Fact]
    public void ARunOnAnotherMachineIsKilledOnlyWhenItsHeartbeatIsStale()
    {
        var id = _store.StartRun("remote");
        Update("UPDATE runs SET host = 'elsewhere', pid = 1, heartbeat_utc = $t WHERE id = $id", id, DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(RunStatus.Running, _store.GetRun(id).Status);

        Update("UPDATE runs SET heartbeat_utc = $t WHERE id = $id", id, DateTimeOffset.UtcNow.AddMinutes(-11));

        Assert.Equal(RunStatus.Killed, _store.GetRun(id).Status);
    }

    [Fact]
    public void MetricsForAnUnknownRunAreRefused()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => _store.LogMetrics("nope", 1, new Dictionary<string, double> { ["loss"] = 1 }));

        Assert.Contains("'nope'", error.Message);
    }

    [Fact]
    public void NonFiniteValuesAreKeptAsNaNWithoutBreakingTheStore()
    {
        var id = _store.StartRun("diverged");
        _store.LogMetrics(id, 1, new Dictionary<string, double> { ["loss"] = double.PositiveInfinity });

        Assert.True(double.IsNaN(_store.GetRun(id).LastMetrics["loss"]));
    }

    private void PretendOwnedBy(string runId, int pid) => Update("UPDATE runs SET pid = $pid WHERE id = $id", runId, pid: pid);

    private void Update(string sql, string runId, DateTimeOffset? time = null, int pid = 0)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_store.Home, "runs.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$pid", pid);
        command.Parameters.AddWithValue("$t", (time ?? DateTimeOffset.UtcNow).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }
}
