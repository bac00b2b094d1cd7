using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using Xunit.Abstractions;

namespace ModelLoop.Cli.Tests.Federated;

/// <summary>
/// `modelloop federate --external-clients` and `modelloop federate-client` as separate OS processes on loopback: the
/// coordinator picks free silo and gateway ports at run time and prints the gateway; owners connect to it. Every
/// process is killed in a finally block, and a failure shows what each one printed.
/// </summary>
public sealed partial class FederateProcessTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(3), Run = TimeSpan.FromMinutes(5);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-federate-proc-");
    private readonly List<CliProcess> _processes = [];

    public void Dispose()
    {
        log.WriteLine(CliProcess.Describe(_processes));
        foreach (var process in _processes)
            process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Path_(string name) => Path.Combine(_folder.FullName, name);

    private CliProcess Start(string name, params string[] arguments)
    {
        var process = CliProcess.Start(name, [.. arguments, "--threads", "1", "--device", "cpu"]);
        _processes.Add(process);
        return process;
    }

    private CliProcess Coordinator(string config, int clients, int rounds, double stragglerSeconds) => Start("coordinator",
        "federate", "--config", config, "--clients", N(clients), "--dirichlet", "10", "--rounds", N(rounds), "--external-clients",
        "--straggler-timeout", N(stragglerSeconds), "--out", Path_("run"), "--job", "proc", "--home", Path_("home"));

    private CliProcess Owner(string config, string gateway, int index, int clients, int rounds, params string[] extra) => Start($"owner {index}",
        ["federate-client", "--coordinator", gateway, "--index", N(index), "--clients", N(clients), "--dirichlet", "10", "--job", "proc",
         "--rounds", N(rounds), "--config", config, .. extra]);

    /// <summary>The gateway the coordinator printed ("… gateway 127.0.0.1:PORT").</summary>
    private static async Task<string> Gateway(CliProcess coordinator)
    {
        var line = await coordinator.WaitForLine(l => GatewayLine().IsMatch(l), Startup, "its gateway address");
        return GatewayLine().Match(line).Groups[1].Value;
    }

    [Fact]
    public async Task Owner_processes_train_a_job_on_a_coordinator_process_and_send_it_updates_not_their_data()
    {
        // 64 features × 1,200 training rows: each owner's raw rows (~150 KB) dwarf its model updates (4 × 531 parameters).
        const int features = 64, hidden = 8, rounds = 2;
        var config = FederatedTable.Write(_folder.FullName, rows: 1500, features: features, hidden: hidden);
        var wrong = FederatedTable.Write(_folder.FullName, rows: 1500, features: features, hidden: 2 * hidden, name: "wider");
        var coordinator = Coordinator(config, clients: 2, rounds, stragglerSeconds: 120);
        var gateway = await Gateway(coordinator);
        var owners = new[] { Owner(config, gateway, 0, 2, rounds), Owner(config, gateway, 1, 2, rounds) };
        // An owner whose config builds another network is refused when it connects, and the job goes on without it.
        var mismatched = Owner(wrong, gateway, 1, 2, rounds);

        Assert.True(await mismatched.WaitForExit(Run) == 2, CliProcess.Describe(_processes));
        Assert.Contains($"model of {FederatedTable.Parameters(features, 2 * hidden):N0} parameters", mismatched.Output);
        Assert.Contains($"({FederatedTable.Parameters(features, hidden):N0} parameters", mismatched.Output);
        Assert.Contains("does not match job 'proc'", mismatched.Output);
        Assert.True(await coordinator.WaitForExit(Run) == 0, CliProcess.Describe(_processes));
        foreach (var owner in owners)
            Assert.True(await owner.WaitForExit(Startup) == 0, CliProcess.Describe(_processes));

        // The global model is saved and loads; both rounds are in rounds.csv, the summary and the run store.
        using (var package = ModelArtifact.Load(Path_("run/artifact")))
            Assert.True(package.Metadata.Metrics.ContainsKey("test_accuracy"));
        var csv = File.ReadAllLines(Path_("run/rounds.csv"));
        Assert.Equal(rounds + 1, csv.Length);
        Assert.All(csv.Skip(1), row => Assert.Equal("2", row.Split(',')[2])); // aggregated: both owners, every round
        using var summary = JsonDocument.Parse(File.ReadAllText(Path_("run/summary.json")));
        var root = summary.RootElement;
        var store = new RunStore(Path_("home"));
        var run = store.GetRun(root.GetProperty("runId").GetString()!);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal([1L, 2L], store.GetMetrics(run.Id)["test_accuracy"].Select(p => p.Step));

        // What left the owners, as Orleans measured it on the wire: the coordinator's process received at least the
        // updates it aggregated, yet less than any one owner's training rows (float32), so no owner's data was among it.
        var updates = root.GetProperty("bytesUp").GetInt64();
        Assert.Equal((long)rounds * 2 * FederatedTable.Parameters(features, hidden) * sizeof(float), updates);
        var received = root.GetProperty("wireBytesReceived").GetInt64();
        var shards = owners.Select(o => Shard(o.Output)).ToArray();
        var smallest = shards.Min() * features * sizeof(float);
        Assert.True(received >= updates && received < smallest,
            $"The coordinator received {received:N0} bytes over the network; updates {updates:N0} bytes, the smallest owner's rows {smallest:N0} bytes.\n{CliProcess.Describe(_processes)}");
        foreach (var (owner, rows) in owners.Zip(shards))
        {
            var sent = Sent(owner.Output);
            Assert.True(sent >= updates / 2 && sent < rows * features * sizeof(float),
                $"{owner.Name} sent {sent:N0} bytes over the network; its updates {updates / 2:N0} bytes, its rows {rows * features * sizeof(float):N0} bytes.\n{owner.Output}");
        }
    }

    [Fact]
    public async Task An_owner_process_killed_mid_round_is_dropped_and_the_rounds_finish_without_it()
    {
        const int rounds = 2;
        var config = FederatedTable.Write(_folder.FullName);
        var coordinator = Coordinator(config, clients: 3, rounds, stragglerSeconds: 15);
        var gateway = await Gateway(coordinator);
        var owners = new[] { Owner(config, gateway, 0, 3, rounds), Owner(config, gateway, 1, 3, rounds) };
        // The victim waits before training, so it is surely mid-round (asked to train, no update sent) when killed.
        var victim = Owner(config, gateway, 2, 3, rounds, "--train-delay", "600");
        await victim.WaitForLine(l => l.Contains("owner-02: round 1: training", StringComparison.Ordinal), Run, "that round 1 began");
        victim.Kill();

        Assert.True(await coordinator.WaitForExit(Run) == 0, CliProcess.Describe(_processes));
        var csv = File.ReadAllLines(Path_("run/rounds.csv"));
        Assert.Equal(rounds + 1, csv.Length);
        var first = csv[1].Split(',');
        Assert.Equal(["1", "3", "2", "1"], first[..4]); // round, sampled, aggregated, dropped
        Assert.All(csv.Skip(1), row => Assert.Equal("2", row.Split(',')[2]));
        using (var package = ModelArtifact.Load(Path_("run/artifact")))
            Assert.Contains("3 data owners", package.Metadata.Description);
        foreach (var owner in owners)
            Assert.True(await owner.WaitForExit(Startup) == 0, CliProcess.Describe(_processes));
    }

    [Fact]
    public async Task An_owner_process_told_an_unreachable_coordinator_exits_with_an_error_naming_it()
    {
        var config = FederatedTable.Write(_folder.FullName);
        // A loopback port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var owner = Start("owner", "federate-client", "--coordinator", $"127.0.0.1:{port}", "--index", "0", "--clients", "2", "--config", config, "--connect-timeout", "3");

        Assert.True(await owner.WaitForExit(Startup) == 2, owner.Output);
        Assert.Contains($"Could not reach the federated coordinator's gateway at 127.0.0.1:{port}", owner.Output);
        Assert.Contains("--coordinator", owner.Output);
        Assert.DoesNotContain("   at ", owner.Output); // one line, no stack trace
    }

    private static long Shard(string output) =>
        long.Parse(ShardLine().Match(output) is { Success: true } m ? m.Groups[1].Value.Replace(",", "") : throw new InvalidOperationException($"No sample count in:\n{output}"), CultureInfo.InvariantCulture);

    private static long Sent(string output) =>
        long.Parse(SentLine().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No network line in:\n{output}"), CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"gateway (127\.0\.0\.1:\d+)")]
    private static partial Regex GatewayLine();

    [GeneratedRegex(@"owner-\d+: ([\d,]+) samples, connected")]
    private static partial Regex ShardLine();

    [GeneratedRegex(@"network: sent (\d+) bytes")]
    private static partial Regex SentLine();
}
