using System.Globalization;
using System.Text;
using ModelLoop.Artifacts;
using ModelLoop.Federated.Aggregation;
using ModelLoop.Loop;
using ModelLoop.Tracking;

namespace ModelLoop.Federated.Tests;

/// <summary>The whole `modelloop federate` path on a small generated table: split, coordinator silo, owners, rounds, tracking, package.</summary>
public sealed class FederatedSimulationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelloop-fed-sim-").FullName;

    private TrainingConfig Config()
    {
        using var data = TestData.Make(600, seed: 21);
        var x = data.Features.data<float>().ToArray();
        var y = data.Labels.data<long>().ToArray();
        var csv = new StringBuilder(string.Join(',', Enumerable.Range(0, TestData.Features).Select(i => $"f{i}")) + ",target\n");
        for (var r = 0; r < y.Length; r++)
            csv.Append(string.Join(',', Enumerable.Range(0, TestData.Features).Select(i => x[r * TestData.Features + i].ToString("R", CultureInfo.InvariantCulture)))).Append(",c").Append(y[r]).Append('\n');
        var path = Path.Combine(_folder, "table.csv");
        File.WriteAllText(path, csv.ToString());
        return TestData.Config() with { Data = new DataConfig { Source = path, Label = "target", Validation = 0, Test = 0.2 } };
    }

    [Fact]
    public async Task A_simulated_federation_is_tracked_per_round_and_ends_in_a_model_package()
    {
        var home = Path.Combine(_folder, "home");
        var result = await FederatedSimulation.RunAsync(Config(), new FederatedSimulationOptions
        {
            Clients = 4, Alpha = 1.0, Rounds = 2, Home = home, OutputDirectory = Path.Combine(_folder, "run"),
            Federated = new FederatedOptions { Algorithm = FederatedAlgorithm.FedProx },
        });
        Assert.Equal(2, result.Rounds.Count);
        Assert.True(result.BytesUp > 0 && result.BytesDown > 0);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(result.RunDirectory, "rounds.csv")).Length);
        using var package = ModelArtifact.Load(result.PackagePath);
        Assert.Equal(result.Test["accuracy"], package.Metadata.Metrics["test_accuracy"], 6);
        var store = new RunStore(home);
        var metrics = store.GetMetrics(result.RunId!);
        Assert.Equal([1L, 2L], metrics["test_accuracy"].Select(p => p.Step));
        Assert.Equal(2, metrics["bytes_up"].Count);
        Assert.Equal(RunStatus.Finished, store.GetRun(result.RunId!).Status);
    }

    [Fact]
    public async Task Client_level_DP_calibrates_the_noise_to_the_target_epsilon()
    {
        var result = await FederatedSimulation.RunAsync(Config(), new FederatedSimulationOptions
        {
            Clients = 4, Rounds = 2, Track = false, OutputDirectory = Path.Combine(_folder, "dp"), DpEpsilon = 8, DpDelta = 1e-3, DpClipNorm = 0.5,
            Federated = new FederatedOptions { Fraction = 0.5 },
        });
        Assert.True(result.NoiseMultiplier > 0);
        Assert.InRange(result.Epsilon!.Value, 7, 8);
        Assert.Equal(result.Epsilon!.Value, Privacy.Accounting.RdpAccountant.Epsilon(result.NoiseMultiplier!.Value, 0.5, 2, 1e-3), 9);
    }

    [Theory]
    [InlineData(0.0, 1.0, "--dirichlet")]
    [InlineData(0.5, 0.0, "fraction")]
    [InlineData(0.5, 1.5, "fraction")]
    public void Bad_alpha_or_fraction_is_refused_before_anything_starts(double alpha, double fraction, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => new FederatedSimulationOptions { Alpha = alpha, Federated = new FederatedOptions { Fraction = fraction } }.Validate());
        Assert.Contains(named, error.Message);
        Assert.Contains("received", error.Message);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
