using Microsoft.Extensions.Configuration;
using ModelLoop.Federated.Hosting;
using Orleans.TestingHost;

namespace ModelLoop.Federated.Tests;

/// <summary>An Orleans in-process test cluster of <c>silos</c> silos with the federated grains and a job store in a temporary folder.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    public string Folder { get; } = Directory.CreateTempSubdirectory("modelloop-fed-").FullName;

    public async Task InitializeAsync() => Cluster = await Start(Path.Combine(Folder, "jobs.db"), silos: 2);

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    public static async Task<TestCluster> Start(string store, int silos)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.Properties["FederatedStore"] = store;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.AddFederatedLearning(silo.Configuration["FederatedStore"]!);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) => client.AddFederatedLearning();
    }
}
