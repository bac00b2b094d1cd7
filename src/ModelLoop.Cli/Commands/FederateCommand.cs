using System.CommandLine;
using System.Globalization;
using ModelLoop.Federated;
using ModelLoop.Federated.Aggregation;
using ModelLoop.Loop;
using Spectre.Console;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop federate</c>: a federated run on Orleans (<see cref="FederatedSimulation"/>) — the config's training data
/// split among simulated data owners by a Dirichlet non-IID split, FedAvg / FedProx / FedAvgM rounds, optional secure
/// aggregation and client-level DP; tracked like any run, the result a model package.
/// </summary>
internal static class FederateCommand
{
    public static Command Create()
    {
        var defaults = new FederatedSimulationOptions();
        var federated = new FederatedOptions();
        var common = new CommonOptions();
        var configOption = new Option<string?>("--config", "-c") { Description = "The training config (.yaml/.json) every data owner trains with locally: model, data, optimizer, batch size. Defaults to Fashion-MNIST with the keras-cnn model." };
        var clientsOption = new Option<int>("--clients") { Description = $"Data owners to simulate. Defaults to {defaults.Clients}.", DefaultValueFactory = _ => defaults.Clients };
        var alphaOption = new Option<double>("--dirichlet") { Description = $"Dirichlet α of the non-IID split (0.1 very skewed, 0.5, 1.0 mild). Defaults to {defaults.Alpha.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => defaults.Alpha };
        var roundsOption = new Option<int>("--rounds", "-r") { Description = $"Rounds. Defaults to {defaults.Rounds}.", DefaultValueFactory = _ => defaults.Rounds };
        var epochsOption = new Option<int>("--local-epochs") { Description = $"Local epochs per round. Defaults to {federated.LocalEpochs}.", DefaultValueFactory = _ => federated.LocalEpochs };
        var fractionOption = new Option<double>("--fraction") { Description = "Share of owners sampled per round, in (0, 1]. Defaults to 1.", DefaultValueFactory = _ => federated.Fraction };
        var algorithmOption = new Option<string>("--algorithm") { Description = "fedavg, fedprox or fedavgm. Defaults to fedavg.", DefaultValueFactory = _ => "fedavg" };
        var muOption = new Option<double>("--mu") { Description = $"FedProx's proximal weight μ. Defaults to {federated.Mu.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => federated.Mu };
        var momentumOption = new Option<double>("--server-momentum") { Description = $"FedAvgM's server momentum β. Defaults to {federated.ServerMomentum.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => federated.ServerMomentum };
        var serverLrOption = new Option<double>("--server-lr") { Description = "Server learning rate η on the averaged update. Defaults to 1.", DefaultValueFactory = _ => federated.ServerLearningRate };
        var secureOption = new Option<bool>("--secure-aggregation") { Description = "Secure aggregation (Bonawitz et al. 2017): the coordinator sees only the sum of the updates. Defaults to off." };
        var epsilonOption = new Option<double?>("--dp-epsilon") { Description = "Client-level DP: the ε to reach after all rounds (noise calibrated with the RDP accountant). Defaults to none (no DP)." };
        var deltaOption = new Option<double>("--dp-delta") { Description = $"Client-level DP δ. Defaults to {defaults.DpDelta.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => defaults.DpDelta };
        var clipOption = new Option<double>("--dp-clip-norm") { Description = $"Client-level DP: L2 clipping norm of each owner's update. Defaults to {defaults.DpClipNorm.ToString(CultureInfo.InvariantCulture)}.", DefaultValueFactory = _ => defaults.DpClipNorm };
        var timeoutOption = new Option<double>("--straggler-timeout") { Description = "Seconds a round waits for an owner before dropping it. Defaults to 600.", DefaultValueFactory = _ => federated.StragglerTimeout.TotalSeconds };
        var limitOption = new Option<int?>("--limit") { Description = "Use only the first N training samples (quick runs)." };
        var outOption = new Option<string>("--out", "-o") { Description = "Run folder: federated.db (the coordinator's job store), rounds.csv, summary.json, artifact/. Defaults to runs/federate.", DefaultValueFactory = _ => defaults.OutputDirectory };
        var jobOption = new Option<string>("--job") { Description = "Job id; running again with the same --out and --job resumes after the last finished round. Defaults to federate.", DefaultValueFactory = _ => defaults.Job };
        var gatewayOption = new Option<int>("--gateway-port") { Description = "The coordinator's gateway port, where `modelloop federate-client` processes connect. Defaults to 0 (a free port).", DefaultValueFactory = _ => 0 };
        var externalOption = new Option<bool>("--external-clients") { Description = "Wait for --clients owners started as separate processes (`modelloop federate-client`) instead of simulating them here. Defaults to off." };
        var command = new Command("federate", "Federated learning on Orleans: data owners from a Dirichlet non-IID split train locally; only model updates reach the coordinator.")
        {
            configOption, clientsOption, alphaOption, roundsOption, epochsOption, fractionOption, algorithmOption, muOption, momentumOption, serverLrOption,
            secureOption, epsilonOption, deltaOption, clipOption, timeoutOption, limitOption, outOption, jobOption, gatewayOption, externalOption,
        };
        common.AddTo(command);
        var homeOption = RunsTrackingOptions.HomeOption();
        var noTrackOption = new Option<bool>("--no-track") { Description = "Do not record the run in the run store. Defaults to false (runs are recorded)." };
        command.Add(homeOption);
        command.Add(noTrackOption);
        command.SetAction(result =>
        {
            var config = result.GetValue(configOption) is { } file ? TrainingConfig.Load(file) : new TrainingConfig();
            config = config with
            {
                Data = config.Data with { Limit = result.GetValue(limitOption) ?? config.Data.Limit },
                Seed = result.GetValue(common.Seed) ?? config.Seed,
            };
            var options = new FederatedSimulationOptions
            {
                Clients = result.GetValue(clientsOption),
                Alpha = result.GetValue(alphaOption),
                Rounds = result.GetValue(roundsOption),
                DpEpsilon = result.GetValue(epsilonOption),
                DpDelta = result.GetValue(deltaOption),
                DpClipNorm = result.GetValue(clipOption),
                OutputDirectory = result.GetValue(outOption)!,
                Job = result.GetValue(jobOption)!,
                GatewayPort = result.GetValue(gatewayOption),
                ExternalClients = result.GetValue(externalOption),
                Track = !result.GetValue(noTrackOption),
                Home = result.GetValue(homeOption),
                Log = line => Console.Out.WriteLine(line),
                Federated = federated with
                {
                    Algorithm = Algorithm(result.GetValue(algorithmOption)!),
                    LocalEpochs = result.GetValue(epochsOption),
                    Fraction = result.GetValue(fractionOption),
                    Mu = result.GetValue(muOption),
                    ServerMomentum = result.GetValue(momentumOption),
                    ServerLearningRate = result.GetValue(serverLrOption),
                    SecureAggregation = result.GetValue(secureOption),
                    StragglerTimeout = TimeSpan.FromSeconds(result.GetValue(timeoutOption) is var seconds && seconds > 0 ? seconds
                        : throw new ArgumentException($"--straggler-timeout must be > 0 seconds; received {seconds}.")),
                    Seed = result.GetValue(common.Seed) ?? federated.Seed,
                },
            }.Validate();
            config.Validate();
            common.Apply(result);
            if (DataSource.ResolveSource(config.Data.Source) == ModelLoop.Data.FashionMnist.DefaultDirectory)
                FashionMnistInstaller.Ensure(ModelLoop.Data.FashionMnist.DefaultDirectory);
            var outcome = FederatedErrors.Run(() => FederatedSimulation.RunAsync(config, options).GetAwaiter().GetResult());
            Print(outcome);
            return 0;
        });
        return command;
    }

    private static FederatedAlgorithm Algorithm(string name) => name.Trim().ToLowerInvariant() switch
    {
        "fedavg" => FederatedAlgorithm.FedAvg,
        "fedprox" => FederatedAlgorithm.FedProx,
        "fedavgm" => FederatedAlgorithm.FedAvgM,
        _ => throw new ArgumentException($"--algorithm '{name}' is unknown; use fedavg, fedprox or fedavgm."),
    };

    private static void Print(FederatedSimulationResult outcome)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var (key, value) in outcome.Test)
            table.AddRow($"test {key}", value.ToString(key.Contains("acc", StringComparison.Ordinal) ? "P2" : "F4", CultureInfo.InvariantCulture));
        table.AddRow("rounds", outcome.Rounds.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("bytes to owners", FormattableString.Invariant($"{outcome.BytesDown / 1e6:F1} MB"));
        table.AddRow("bytes from owners", FormattableString.Invariant($"{outcome.BytesUp / 1e6:F1} MB"));
        if (outcome.Epsilon is { } epsilon)
            table.AddRow("client-level DP", FormattableString.Invariant($"ε = {epsilon:F2} (σ = {outcome.NoiseMultiplier:F3})"));
        table.AddRow("time", FormattableString.Invariant($"{outcome.Seconds:F1} s"));
        table.AddRow("saved to", Markup.Escape(Path.GetFullPath(outcome.RunDirectory)));
        if (outcome.RunId is not null)
            table.AddRow("run", Markup.Escape(outcome.RunId));
        AnsiConsole.Write(table);
    }
}
