using ModelLoop.Federated.Aggregation;
using ModelLoop.Federated.Grains;
using ModelLoop.Modeling;

namespace ModelLoop.Federated.Tests;

public sealed class FederatedClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly Shape SampleShape = new(TestData.Features);

    /// <summary>Creates a job and connects <paramref name="owners"/> data owners with 120 generated samples each.</summary>
    private async Task<List<DataOwner>> Start(string job, FederatedOptions options, int owners = 4, Func<int, DataOwnerOptions?>? ownerOptions = null, float[]? initial = null)
    {
        var client = fixture.Cluster.Client;
        await FederatedJob.CreateAsync(client, job, TestData.Config(), SampleShape, TestData.Classes, options, initial);
        var list = new List<DataOwner>();
        for (var i = 0; i < owners; i++)
        {
            var owner = new DataOwner(client, job, $"owner-{i}", TestData.Config(), TestData.Make(120, seed: 100 + i), TestData.Classes, ownerOptions?.Invoke(i));
            await owner.ConnectAsync(client);
            list.Add(owner);
        }
        return list;
    }

    [Fact]
    public async Task Owners_on_a_two_silo_cluster_train_a_global_model_that_beats_the_initial_one()
    {
        Assert.Equal(2, fixture.Cluster.GetActiveSilos().Count());
        var owners = await Start("fedavg", new FederatedOptions());
        using var test = TestData.Make(400, seed: 7);
        var initial = await FederatedJob.DownloadAsync(fixture.Cluster.Client, "fedavg");
        using (var model = FederatedJob.BuildModel(TestData.Config(), SampleShape, TestData.Classes, initial))
        {
            var before = model.Evaluate(test)["accuracy"];
            var rounds = await FederatedJob.RunAsync(fixture.Cluster.Client, "fedavg", TestData.Config(), SampleShape, TestData.Classes, rounds: 3, test);
            Assert.Equal([1, 2, 3], rounds.Select(r => r.Report.Round));
            Assert.All(rounds, r => Assert.Equal(4, r.Report.Aggregated.Count));
            Assert.All(rounds, r => Assert.True(r.Report.BytesUp >= 4L * initial.Length * sizeof(float)));
            Assert.True(rounds[^1].Metrics["accuracy"] > before + 0.1, $"accuracy before {before:F3}, after 3 rounds {rounds[^1].Metrics["accuracy"]:F3}");
        }
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task Secure_aggregation_gives_the_global_model_plain_FedAvg_gives()
    {
        var client = fixture.Cluster.Client;
        var owners = await Start("plain", new FederatedOptions { Seed = 5 });
        // The same starting weights for both jobs (other tests draw from libtorch's global generator meanwhile).
        var initial = await FederatedJob.DownloadAsync(client, "plain");
        owners.AddRange(await Start("secure", new FederatedOptions { Seed = 5, SecureAggregation = true }, initial: initial));
        var plain = await client.GetGrain<IFederatedCoordinatorGrain>("plain").RunRoundAsync();
        var secure = await client.GetGrain<IFederatedCoordinatorGrain>("secure").RunRoundAsync();
        Assert.True(secure.Secure);
        Assert.Equal(plain.Aggregated, secure.Aggregated);
        var a = await FederatedJob.DownloadAsync(client, "plain");
        var b = await FederatedJob.DownloadAsync(client, "secure");
        Assert.True(a.Zip(initial).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
        // Equal up to the fixed-point encoding (2^-21 per owner and value) and float rounding.
        Assert.All(a.Zip(b), p => Assert.Equal(p.First, p.Second, 4));
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task An_owner_that_fails_mid_round_is_dropped_and_the_others_are_averaged()
    {
        var owners = await Start("dropout", new FederatedOptions(), ownerOptions: i => i == 2 ? new DataOwnerOptions { FailAt = DataOwnerStep.Train } : null);
        var report = await fixture.Cluster.Client.GetGrain<IFederatedCoordinatorGrain>("dropout").RunRoundAsync();
        Assert.Equal(["owner-2"], report.Dropped);
        Assert.Equal(["owner-0", "owner-1", "owner-3"], report.Aggregated);
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task Secure_aggregation_survives_an_owner_that_drops_after_sharing_its_keys()
    {
        var owners = await Start("secure-dropout", new FederatedOptions { SecureAggregation = true }, owners: 5,
            ownerOptions: i => i == 1 ? new DataOwnerOptions { FailAt = DataOwnerStep.MaskedInput } : null);
        var client = fixture.Cluster.Client;
        var before = await FederatedJob.DownloadAsync(client, "secure-dropout");
        var report = await client.GetGrain<IFederatedCoordinatorGrain>("secure-dropout").RunRoundAsync();
        Assert.Equal(["owner-1"], report.Dropped);
        var after = await FederatedJob.DownloadAsync(client, "secure-dropout");
        // Had owner-1's pairwise masks stayed in the sum, the update would be uniform noise of magnitude ~2^11.
        var largest = after.Zip(before).Max(p => Math.Abs(p.First - p.Second));
        Assert.InRange(largest, 1e-4, 5);
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task A_straggler_past_the_timeout_is_dropped_from_the_round()
    {
        var owners = await Start("straggler", new FederatedOptions { StragglerTimeout = TimeSpan.FromSeconds(3) }, owners: 3,
            ownerOptions: i => i == 0 ? new DataOwnerOptions { Delay = TimeSpan.FromSeconds(8) } : null);
        var report = await fixture.Cluster.Client.GetGrain<IFederatedCoordinatorGrain>("straggler").RunRoundAsync();
        Assert.Equal(["owner-0"], report.Dropped);
        Assert.Equal(2, report.Aggregated.Count);
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task Client_sampling_takes_the_fraction_of_owners_each_round()
    {
        var owners = await Start("sampling", new FederatedOptions { Fraction = 0.5 }, owners: 6);
        var coordinator = fixture.Cluster.Client.GetGrain<IFederatedCoordinatorGrain>("sampling");
        var first = await coordinator.RunRoundAsync();
        var second = await coordinator.RunRoundAsync();
        Assert.Equal(3, first.Sampled.Count);
        Assert.Equal(3, second.Sampled.Count);
        Assert.Equal(first.Sampled, first.Aggregated);
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task An_owner_whose_model_is_not_the_jobs_is_refused_with_what_to_do()
    {
        var client = fixture.Cluster.Client;
        await FederatedJob.CreateAsync(client, "mismatch", TestData.Config(), SampleShape, TestData.Classes, new FederatedOptions());
        using var owner = new DataOwner(client, "mismatch", "wide", TestData.Config(hidden: 32), TestData.Make(50, 1), TestData.Classes);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => owner.ConnectAsync(client));
        Assert.Contains("does not match job 'mismatch'", error.Message);
        // Received and expected: the owner's 8-32-3 MLP (8·32 + 32 + 32·3 + 3 = 387) against the job's 8-16-3 (195).
        Assert.Contains("model of 387 parameters", error.Message);
        Assert.Contains("(195 parameters", error.Message);
        Assert.Contains("Build the owner's model from the job's config", error.Message);
        Assert.Empty((await client.GetGrain<IFederatedCoordinatorGrain>("mismatch").GetStateAsync()).Owners);
    }

    [Fact]
    public async Task A_BatchNorm_model_is_refused_before_the_job_exists_with_a_pointer_to_GroupNorm()
    {
        var client = fixture.Cluster.Client;
        var config = TestData.Config() with { Model = new Loop.ModelConfig { Zoo = "bn-cnn", Width = 4, Stages = [1] } };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => FederatedJob.CreateAsync(client, "batchnorm", config, new Shape(1, 8, 8), TestData.Classes, new FederatedOptions()));
        Assert.Contains("BatchNorm", error.Message);
        Assert.Contains("zoo model 'bn-cnn'", error.Message);
        Assert.Contains("GroupNorm", error.Message);
        Assert.Equal(0, (await client.GetGrain<IFederatedCoordinatorGrain>("batchnorm").GetStateAsync()).Length);
        // An owner building the same network is refused the same way, before it can connect.
        using var data = new ModelLoop.Data.TensorDataset(TorchSharp.torch.randn(4, 1, 8, 8), TorchSharp.torch.zeros(4, TorchSharp.torch.ScalarType.Int64));
        var owner = Assert.Throws<ArgumentException>(() => new DataOwner(client, "batchnorm", "o", config, data, TestData.Classes));
        Assert.Contains("GroupNorm", owner.Message);
    }

    [Fact]
    public async Task FedAvgM_and_FedProx_rounds_run_on_the_cluster()
    {
        var owners = (await Start("fedavgm", new FederatedOptions { Algorithm = FederatedAlgorithm.FedAvgM }))
            .Concat(await Start("fedprox", new FederatedOptions { Algorithm = FederatedAlgorithm.FedProx, Mu = 0.1 })).ToList();
        foreach (var job in new[] { "fedavgm", "fedprox" })
        {
            var rounds = await FederatedJob.RunAsync(fixture.Cluster.Client, job, TestData.Config(), SampleShape, TestData.Classes, rounds: 2);
            Assert.Equal(2, rounds.Count);
            Assert.All(rounds, r => Assert.Empty(r.Report.Dropped));
        }
        owners.ForEach(o => o.Dispose());
    }
}
