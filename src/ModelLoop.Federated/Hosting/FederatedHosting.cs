using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelLoop.Federated.Storage;
using Orleans.Configuration;

namespace ModelLoop.Federated.Hosting;

/// <summary>
/// How ModelLoop's federated grains are hosted: what a silo needs (the job store), the messaging timeouts a round
/// needs, a single-machine coordinator silo for the CLI, and an Orleans client for a data owner in another process.
/// </summary>
public static class FederatedHosting
{
    /// <summary>Cluster and service ids every ModelLoop federated silo and client uses.</summary>
    public const string ClusterId = "modelloop-federated", ServiceId = "modelloop";

    /// <summary>
    /// Orleans' response timeout for a call. A round waits for local training, which can take minutes; the straggler
    /// timeout (<see cref="FederatedOptions.StragglerTimeout"/>) is what bounds a round, so calls get a long one.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromHours(2);

    /// <summary>Adds the job store at <paramref name="storePath"/> (SQLite) and the call timeout to a silo.</summary>
    public static ISiloBuilder AddFederatedLearning(this ISiloBuilder silo, string storePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(storePath);
        silo.Services.AddSingleton(_ => new FederatedJobStore(storePath));
        silo.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = CallTimeout);
        return silo;
    }

    /// <summary>The call timeout for an Orleans client that drives jobs or hosts data owners.</summary>
    public static IClientBuilder AddFederatedLearning(this IClientBuilder client)
    {
        client.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = CallTimeout);
        return client;
    }

    /// <summary>
    /// Starts a coordinator silo on this machine (silo port <paramref name="siloPort"/>, gateway <paramref name="gatewayPort"/>,
    /// where data-owner processes connect). Its <see cref="IGrainFactory"/> drives jobs and hosts in-process owners.
    /// </summary>
    public static async Task<IHost> StartCoordinatorAsync(string storePath, int siloPort = 11111, int gatewayPort = 30000, CancellationToken cancellation = default)
    {
        var builder = Host.CreateApplicationBuilder();
        // Errors only: on a loaded machine the silo's watchdog warns about thread-pool stalls every few seconds.
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: ServiceId, clusterId: ClusterId)
            .AddFederatedLearning(storePath));
        var host = builder.Build();
        await host.StartAsync(cancellation);
        return host;
    }

    /// <summary>
    /// Connects an Orleans client (a data owner's process) to the coordinator's gateway at <paramref name="gateway"/> ("host:port").
    /// </summary>
    /// <param name="timeout">How long to try to reach the gateway. Defaults to null: 30 seconds.</param>
    /// <exception cref="FederatedConnectionException">The gateway cannot be reached.</exception>
    public static async Task<IHost> ConnectAsync(string gateway, CancellationToken cancellation = default, TimeSpan? timeout = null)
    {
        var endpoint = ParseEndpoint(gateway);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.UseOrleansClient(client => client
            .UseStaticClustering(endpoint)
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId))
            .Configure<GatewayOptions>(o => o.PreferredGatewayIndex = 0)
            .AddFederatedLearning());
        var host = builder.Build();
        // Orleans' client keeps retrying an unreachable gateway for minutes; a data owner should hear at once.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await host.StartAsync(deadline.Token);
            return host;
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            host.Dispose();
            throw new FederatedConnectionException($"Could not reach the federated coordinator's gateway at {gateway} ({e.GetType().Name}: {e.Message}). " +
                "Check that `modelloop federate` is running there and that --coordinator names its gateway port.", e);
        }
    }

    private static IPEndPoint ParseEndpoint(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"--coordinator must be host:port (e.g. 127.0.0.1:30000); received '{gateway}'.");
        var host = gateway[..colon];
        var address = IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"--coordinator host '{host}' does not resolve to an address.");
        return new IPEndPoint(address, port);
    }
}
