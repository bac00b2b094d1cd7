using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Tracking;
using Spectre.Console;

namespace ModelLoop.Cli.Tests.Federated;

/// <summary>`modelloop federate` in this process: its options are checked before anything starts, and a tiny simulated run is tracked and packaged.</summary>
public sealed class FederateCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelloop-cli-federate-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private string Out(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>Runs the command line with its console captured; returns the exit code and what it printed.</summary>
    private static (int Exit, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No });
        AnsiConsole.Console.Profile.Width = 400;
        try
        {
            return (CliApp.Run(args), output.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }

    [Theory]
    [InlineData(new[] { "--dirichlet", "0" }, "--dirichlet (α) must be a finite number > 0; received 0")]
    [InlineData(new[] { "--dirichlet", "-0.5" }, "--dirichlet (α) must be a finite number > 0; received -0.5")]
    [InlineData(new[] { "--clients", "1" }, "--clients must be at least 2 (a federation of one is centralized training); received 1")]
    [InlineData(new[] { "--rounds", "0" }, "--rounds must be at least 1; received 0")]
    [InlineData(new[] { "--dp-epsilon", "0" }, "--dp-epsilon must be a finite number > 0; received 0")]
    [InlineData(new[] { "--dp-epsilon", "-3" }, "--dp-epsilon must be a finite number > 0; received -3")]
    [InlineData(new[] { "--dp-epsilon", "3", "--dp-delta", "0.2", "--clients", "5" }, "--dp-delta 0.2 is not below 1 / clients (1/5)")]
    [InlineData(new[] { "--dp-epsilon", "3", "--dp-clip-norm", "0" }, "--dp-clip-norm must be > 0; received 0")]
    [InlineData(new[] { "--fraction", "1.5" }, "Fraction (--fraction) must be in (0, 1]")]
    [InlineData(new[] { "--local-epochs", "0" }, "LocalEpochs (--local-epochs) must be at least 1; received 0")]
    [InlineData(new[] { "--server-momentum", "1" }, "ServerMomentum (--server-momentum) must be in [0, 1); received 1")]
    [InlineData(new[] { "--straggler-timeout", "0" }, "--straggler-timeout must be > 0 seconds; received 0")]
    [InlineData(new[] { "--algorithm", "fedsgd" }, "--algorithm 'fedsgd' is unknown; use fedavg, fedprox or fedavgm")]
    public void A_bad_option_is_refused_before_anything_starts_with_what_was_received_and_expected(string[] options, string expected)
    {
        var config = FederatedTable.Write(_folder.FullName);

        var (exit, output) = Run(["federate", "--config", config, "--out", Out("run"), "--no-track", "--threads", "1", "--device", "cpu", .. options]);

        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out("run")), "the run folder was created before the options were checked");
    }

    [Fact]
    public void A_simulated_federation_runs_its_rounds_is_tracked_and_saves_a_model_package()
    {
        var config = FederatedTable.Write(_folder.FullName);

        var (exit, output) = Run("federate", "--config", config, "--clients", "3", "--dirichlet", "1", "--rounds", "2", "--algorithm", "fedavgm",
            "--out", Out("run"), "--job", "sim", "--home", Out("home"), "--seed", "3", "--threads", "1", "--device", "cpu");

        Assert.True(exit == 0, output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Out("run/summary.json")));
        var root = summary.RootElement;
        Assert.Equal("FedAvgM", root.GetProperty("algorithm").GetString());
        Assert.Equal(3, root.GetProperty("clients").GetInt32());
        Assert.Equal(0, root.GetProperty("wireBytesReceived").GetInt64()); // every owner ran in this process
        var store = new RunStore(Out("home"));
        var run = store.GetRun(root.GetProperty("runId").GetString()!);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal("FedAvgM", run.Parameters["algorithm"]);
        Assert.Equal("3", run.Parameters["clients"]);
        var metrics = store.GetMetrics(run.Id);
        Assert.Equal([1L, 2L], metrics["test_accuracy"].Select(p => p.Step));
        Assert.All(metrics["owners"], p => Assert.Equal(3, p.Value));
        using var package = ModelArtifact.Load(Out("run/artifact"));
        Assert.Equal(metrics["test_accuracy"][^1].Value, package.Metadata.Metrics["test_accuracy"], 6);
        Assert.Equal(run.Id, package.Metadata.Lineage!.RunId);
        Assert.Equal(3, File.ReadAllLines(Out("run/rounds.csv")).Length);
    }

    [Fact]
    public void A_BatchNorm_model_is_refused_with_a_pointer_to_GroupNorm()
    {
        var spec = System.Text.Json.Nodes.JsonNode.Parse("""
            { "inputShape": [8], "layers": [ { "type": "Dense", "units": 8 }, { "type": "BatchNorm" }, { "type": "Dense", "units": 3 } ] }
            """);
        var config = FederatedTable.Write(_folder.FullName, model: new Loop.ModelConfig { Spec = spec });

        var (exit, output) = Run("federate", "--config", config, "--clients", "2", "--rounds", "1", "--out", Out("run"), "--no-track", "--threads", "1", "--device", "cpu");

        Assert.Equal(2, exit);
        Assert.Contains("Federated jobs cannot train BatchNorm: the model spec has layer", output, StringComparison.Ordinal);
        Assert.Contains("GroupNorm", output, StringComparison.Ordinal);
    }
}
