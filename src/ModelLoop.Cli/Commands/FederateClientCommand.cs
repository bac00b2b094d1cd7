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
        var command = new Command("federate-client", "Run one federated data owner in this process: connect to a coordinator, train on its own shard, send only updates.")
        {
            coordinatorOption, indexOption, configOption, clientsOption, alphaOption, jobOption, roundsOption, limitOption,
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
            common.Apply(result);
            using var data = DataSource.Load(config.Data, config.Task);
            var seed = (int)(result.GetValue(common.Seed) ?? new FederatedOptions().Seed);
            var shard = FederatedSimulation.Shard(data.Train, clients, result.GetValue(alphaOption), seed, index);
            using var host = await ConnectOrFail(result.GetValue(coordinatorOption)!, cancellation);
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var job = result.GetValue(jobOption)!;
            using var owner = new DataOwner(grains, job, $"owner-{index:D2}", config, shard, data.Outputs);
            await owner.ConnectAsync(grains);
            Console.Out.WriteLine($"owner-{index:D2}: {owner.Samples:N0} samples, connected to job '{job}' at {result.GetValue(coordinatorOption)}");
            var coordinator = grains.GetGrain<IFederatedCoordinatorGrain>(job);
            var rounds = result.GetValue(roundsOption);
            try
            {
                while (!cancellation.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellation);
                    if (rounds is { } r && (await coordinator.GetStateAsync()).Round >= r)
                        break;
                }
            }
            catch (OperationCanceledException)
            {
            }
            Console.Out.WriteLine($"owner-{index:D2}: done");
            return 0;
        });
        return command;
    }

    private static async Task<Microsoft.Extensions.Hosting.IHost> ConnectOrFail(string coordinator, CancellationToken cancellation)
    {
        try
        {
            return await FederatedHosting.ConnectAsync(coordinator, cancellation);
        }
        catch (FederatedConnectionException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
