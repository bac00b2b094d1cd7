using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Federated;
using ModelLoop.Federated.Grains;
using ModelLoop.Federated.Hosting;
using ModelLoop.Loop;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop federate-client</c>: one data owner as its own process — an Orleans client connected to the
/// coordinator's gateway (started by <c>modelloop federate --external-clients</c>). It loads its own shard of the data
/// (owner <c>--index</c> of the same Dirichlet split), trains when sampled, and sends only updates.
/// </summary>
internal static class FederateClientCommand
{
    public static Command Create()
    {
        var defaults = new FederatedSimulationOptions();
        var common = new CommonOptions();
        var coordinatorOption = new Option<string>("--coordinator") { Description = "The coordinator's gateway, host:port (printed by `modelloop federate --external-clients`).", Required = true };
        var indexOption = new Option<int>("--index") { Description = "Which owner of the split this process is, 0 … clients − 1.", Required = true };
        var configOption = new Option<string?>("--config", "-c") { Description = "The job's training config (the same file the coordinator runs). Defaults to Fashion-MNIST with the keras-cnn model." };
        var clientsOption = new Option<int>("--clients") { Description = $"Owners in the split. Defaults to {defaults.Clients}.", DefaultValueFactory = _ => defaults.Clients };
        var alphaOption = new Option<double>("--dirichlet") { Description = $"Dirichlet α of the split. Defaults to {defaults.Alpha.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => defaults.Alpha };
        var jobOption = new Option<string>("--job") { Description = $"Job id. Defaults to {defaults.Job}.", DefaultValueFactory = _ => defaults.Job };
        var roundsOption = new Option<int?>("--rounds") { Description = "Exit once the job has finished this many rounds. Defaults to running until stopped (Ctrl+C)." };
        var limitOption = new Option<int?>("--limit") { Description = "Use only the first N training samples (must match the coordinator's --limit)." };
        var connectTimeoutOption = new Option<double>("--connect-timeout") { Description = "Seconds to keep trying to reach the coordinator's gateway before giving up. Defaults to 30.", DefaultValueFactory = _ => 30 };
        var delayOption = new Option<double>("--train-delay") { Description = "Seconds to wait before training each round (simulates a slow owner, e.g. to test the straggler timeout). Defaults to 0.", DefaultValueFactory = _ => 0 };
        var command = new Command("federate-client", "Run one federated data owner in this process: connect to a coordinator, train on its own shard, send only updates.")
        {
            coordinatorOption, indexOption, configOption, clientsOption, alphaOption, jobOption, roundsOption, limitOption, connectTimeoutOption, delayOption,
        };
        common.AddTo(command);
        command.SetAction(async (result, cancellation) =>
        {
            var config = result.GetValue(configOption) is { } file ? TrainingConfig.Load(file) : new TrainingConfig();
            config = config with { Data = config.Data with { Limit = result.GetValue(limitOption) ?? config.Data.Limit }, Seed = result.GetValue(common.Seed) ?? config.Seed };
            config.Validate();
            var clients = result.GetValue(clientsOption);
            var index = result.GetValue(indexOption);
            if (clients < 2 || index < 0 || index >= clients)
                throw new ArgumentException($"--index must be in 0..{clients - 1} and --clients at least 2; received --index {index}, --clients {clients}.");
            var connectTimeout = result.GetValue(connectTimeoutOption);
            if (!(connectTimeout > 0))
                throw new ArgumentException($"--connect-timeout must be > 0 seconds; received {connectTimeout}.");
            var delay = result.GetValue(delayOption);
            if (!(delay >= 0))
                throw new ArgumentException($"--train-delay must be ≥ 0 seconds; received {delay}.");
            common.Apply(result);
            var gateway = result.GetValue(coordinatorOption)!;
            var id = $"owner-{index:D2}";
            // Counts what this process sends over the network, so its owner can see that only updates left it.
            using var wire = new WireTraffic();
            // Reach the coordinator before loading the data: an unreachable one is reported at once.
            using var host = await ConnectOrFail(gateway, TimeSpan.FromSeconds(connectTimeout), cancellation);
            using var data = DataSource.Load(config.Data, config.Task);
            var seed = (int)(result.GetValue(common.Seed) ?? new FederatedOptions().Seed);
            var shard = FederatedSimulation.Shard(data.Train, clients, result.GetValue(alphaOption), seed, index);
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var job = result.GetValue(jobOption)!;
            using var owner = new DataOwner(grains, job, id, config, shard, data.Outputs, new DataOwnerOptions
            {
                Delay = TimeSpan.FromSeconds(delay),
                Log = line => Console.Out.WriteLine(line),
            });
            await owner.ConnectAsync(grains);
            Console.Out.WriteLine($"{id}: {owner.Samples:N0} samples, connected to job '{job}' at {gateway}");
            try
            {
                await FollowJob(grains.GetGrain<IFederatedCoordinatorGrain>(job), owner, gateway, result.GetValue(roundsOption), cancellation);
                await Disconnect(owner, grains);
            }
            finally
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{id}: network: sent {wire.BytesSent} bytes, received {wire.BytesReceived} bytes of Orleans messages (its training data: {shard.Count} samples, never sent)"));
            }
            Console.Out.WriteLine($"{id}: done");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Waits, polling the job every second, until it has finished <paramref name="rounds"/> (or forever without it);
    /// the owner trains whenever the coordinator samples it. A coordinator that stops answering ends the wait: normally
    /// when the owner already trained the last round, else with an error that says how to resume.
    /// </summary>
    private static async Task FollowJob(IFederatedCoordinatorGrain coordinator, DataOwner owner, string gateway, int? rounds, CancellationToken cancellation)
    {
        var round = 0;
        try
        {
            while (rounds is not { } last || round < last)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
                try
                {
                    round = (await coordinator.GetStateAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellation)).Round;
                }
                catch (Exception e) when (!cancellation.IsCancellationRequested)
                {
                    if (rounds is { } r && owner.LastRound >= r)
                        return; // it finished the last round and stopped before this owner saw the count
                    throw new InvalidOperationException($"Lost the federated coordinator at {gateway} after round {Math.Max(round, owner.LastRound)} ({e.GetType().Name}: {e.Message}). " +
                        "Its job resumes from its last finished round: restart `modelloop federate` with the same --out and --job, then this owner.", e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C: leave quietly.
        }
    }

    /// <summary>Unregisters from the job; a coordinator that already stopped needs no goodbye.</summary>
    private static async Task Disconnect(DataOwner owner, IClusterClient grains)
    {
        try
        {
            await owner.DisconnectAsync(grains).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException or OperationCanceledException)
        {
        }
    }

    private static async Task<Microsoft.Extensions.Hosting.IHost> ConnectOrFail(string coordinator, TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            return await FederatedHosting.ConnectAsync(coordinator, cancellation, timeout);
        }
        catch (FederatedConnectionException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
