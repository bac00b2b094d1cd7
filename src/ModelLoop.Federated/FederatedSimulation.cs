using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Federated.Data;
using ModelLoop.Federated.Grains;
using ModelLoop.Federated.Hosting;
using ModelLoop.IO;
using ModelLoop.Loop;
using ModelLoop.Privacy.Accounting;
using ModelLoop.Tracking;
using static TorchSharp.torch;

namespace ModelLoop.Federated;

/// <summary>
/// `modelloop federate`: a federated run on one machine. The config's training data is split among simulated data
/// owners by a Dirichlet non-IID split; a coordinator silo starts in this process; each owner is a
/// <see cref="DataOwner"/> on the silo's client (or a separate process, <see cref="FederatedSimulationOptions.ExternalClients"/>);
/// the rounds run on the cluster; the global model is evaluated on the test part after every round, tracked like any
/// run, and saved as a model package.
/// </summary>
public static class FederatedSimulation
{
    public static async Task<FederatedSimulationResult> RunAsync(TrainingConfig config, FederatedSimulationOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        options.Validate();
        config.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var log = options.Log ?? (_ => { });
        var federated = options.Federated;
        double? sigma = null;
        if (options.DpEpsilon is { } epsilon)
        {
            sigma = NoiseCalibration.NoiseMultiplier(epsilon, options.DpDelta, federated.Fraction, options.Rounds);
            federated = federated with { DpClipNorm = options.DpClipNorm, DpNoiseMultiplier = sigma };
            log($"client-level DP: ε = {epsilon} at δ = {options.DpDelta} over {options.Rounds} rounds, q = {federated.Fraction} → noise multiplier σ = {sigma:F3}, clip C = {options.DpClipNorm}");
        }
        Native.TorchRuntime.EnsureLoaded();
        using var data = DataSource.Load(config.Data, config.Task);
        var folder = options.OutputDirectory;
        Directory.CreateDirectory(folder);
        var ran = config with { Seed = config.Seed ?? federated.Seed };
        ran.Save(Path.Combine(folder, "config.json"));

        // Counts what reaches this process over the network: with external owners, everything they sent.
        using var wire = new WireTraffic();
        var siloPort = options.SiloPort == 0 ? FreePort() : options.SiloPort;
        var gatewayPort = options.GatewayPort == 0 ? FreePort() : options.GatewayPort;
        using var host = await FederatedHosting.StartCoordinatorAsync(Path.Combine(folder, "federated.db"), siloPort, gatewayPort, cancellation);
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var shape = data.Train.SampleShape;
        var state = await FederatedJob.CreateAsync(grains, options.Job, ran, shape, data.Outputs, federated);
        log($"coordinator: job '{options.Job}' at round {state.Round}, {state.Length:N0} parameters; silo port {siloPort}, gateway 127.0.0.1:{gatewayPort}");

        var owners = new List<DataOwner>();
        var store = options.Track ? new RunStore(options.Home) : null;
        string? runId = null;
        try
        {
            if (options.ExternalClients)
                await WaitForOwners(grains, options, log, cancellation);
            else
                owners.AddRange(await StartOwners(grains, ran, data, options, log));
            runId = store?.StartRun("federated-" + (ran.Model.Zoo ?? "spec"), Parameters(ran, options, federated), data.Manifest.Hash);
            var history = new StringBuilder("round,sampled,aggregated,dropped,train_loss,test_loss,test_accuracy,bytes_down,bytes_up,seconds,epsilon\n");
            var rounds = await FederatedJob.RunAsync(grains, options.Job, ran, shape, data.Outputs, options.Rounds, data.Test, round =>
            {
                var r = round.Report;
                double? spent = sigma is { } s ? RdpAccountant.Epsilon(s, federated.Fraction, r.Round, options.DpDelta) : null;
                var accuracy = round.Metrics.GetValueOrDefault("accuracy", double.NaN);
                log($"round {r.Round}/{options.Rounds}: {r.Aggregated.Count}/{r.Sampled.Count} owners{(r.Dropped.Count > 0 ? $" ({r.Dropped.Count} dropped)" : "")}, " +
                    $"train loss {r.TrainLoss:F4}, test accuracy {accuracy:P2}, ↓{r.BytesDown / 1e6:F2} MB ↑{r.BytesUp / 1e6:F2} MB, {r.Seconds:F1} s" + (spent is { } e ? $", ε = {e:F2}" : ""));
                history.Append(CultureInfo.InvariantCulture, $"{r.Round},{r.Sampled.Count},{r.Aggregated.Count},{r.Dropped.Count},{r.TrainLoss:R},{round.Metrics.GetValueOrDefault("loss", double.NaN):R},{accuracy:R},{r.BytesDown},{r.BytesUp},{r.Seconds:F2},{spent?.ToString("R", CultureInfo.InvariantCulture) ?? ""}\n");
                AtomicFile.WriteAllText(Path.Combine(folder, "rounds.csv"), history.ToString());
                if (runId is not null)
                {
                    var metrics = new Dictionary<string, double>
                    {
                        ["train_loss"] = r.TrainLoss, ["test_loss"] = round.Metrics.GetValueOrDefault("loss", double.NaN), ["test_accuracy"] = accuracy,
                        ["bytes_down"] = r.BytesDown, ["bytes_up"] = r.BytesUp, ["owners"] = r.Aggregated.Count, ["dropped"] = r.Dropped.Count,
                    };
                    if (spent is { } spentEpsilon)
                        metrics["epsilon"] = spentEpsilon;
                    store!.LogMetrics(runId, r.Round, metrics);
                    store.Heartbeat(runId);
                }
            }, cancellation);

            if (options.ExternalClients && rounds.Count > 0)
                await WaitForDisconnects(grains, options, rounds[^1].Report.Aggregated, log, cancellation);
            var weights = await FederatedJob.DownloadAsync(grains, options.Job);
            using var model = FederatedJob.BuildModel(ran, shape, data.Outputs, weights);
            var test = model.Evaluate(data.Test);
            double? finalEpsilon = sigma is { } sg ? RdpAccountant.Epsilon(sg, federated.Fraction, options.Rounds, options.DpDelta) : null;
            var packageMetrics = test.ToDictionary(p => "test_" + p.Key, p => p.Value);
            if (finalEpsilon is { } fe)
                (packageMetrics["dp_epsilon"], packageMetrics["dp_delta"]) = (fe, options.DpDelta);
            var package = Path.Combine(folder, "artifact");
            var sha = ModelArtifact.Save(model, package, new ArtifactMetadata
            {
                Task = ran.Task,
                Output = new TensorSchema(model.OutputShape.ToArray(), "F32", data.ClassNames is { } names && names.Count == data.Outputs ? names : null),
                Metrics = packageMetrics,
                Description = $"Federated {federated.Algorithm} over {options.Clients} data owners (Dirichlet α = {options.Alpha}), {options.Rounds} rounds" +
                    (federated.SecureAggregation ? ", secure aggregation" : "") + (finalEpsilon is { } de ? $", client-level DP ε = {de:F2}, δ = {options.DpDelta}" : ""),
                Preprocessing = data.Pipeline is { } pipeline ? System.Text.Json.Nodes.JsonNode.Parse(pipeline.ToJson()) : null,
                Lineage = new ArtifactLineage(data.Manifest.Hash, runId) { Split = data.Split },
                Config = ran.ToJsonNode(),
            }, new ArtifactSaveOptions { Overwrite = true });
            log($"network: this process received {wire.BytesReceived} bytes and sent {wire.BytesSent} bytes of Orleans messages");
            var seconds = clock.Elapsed.TotalSeconds;
            var result = new FederatedSimulationResult
            {
                RunDirectory = folder, PackagePath = package, Rounds = rounds, Test = test, NoiseMultiplier = sigma, Epsilon = finalEpsilon, RunId = runId, Seconds = seconds,
                WireBytesReceived = wire.BytesReceived, WireBytesSent = wire.BytesSent,
            };
            AtomicFile.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(new
            {
                algorithm = federated.Algorithm.ToString(), clients = options.Clients, alpha = options.Alpha, rounds = options.Rounds, fraction = federated.Fraction,
                localEpochs = federated.LocalEpochs, secureAggregation = federated.SecureAggregation, noiseMultiplier = sigma, epsilon = finalEpsilon,
                delta = finalEpsilon is null ? (double?)null : options.DpDelta, test, bytesDown = result.BytesDown, bytesUp = result.BytesUp,
                wireBytesReceived = result.WireBytesReceived, wireBytesSent = result.WireBytesSent,
                seconds = Math.Round(seconds, 2), runId, datasetHash = data.Manifest.Hash, packageSha256 = sha,
            }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            if (runId is not null)
            {
                store!.LogArtifact(runId, "artifact", package, sha);
                store.EndRun(runId, RunStatus.Finished);
            }
            return result;
        }
        catch (Exception error)
        {
            if (runId is not null)
                store!.EndRun(runId, RunStatus.Failed, error.Message);
            throw;
        }
        finally
        {
            foreach (var owner in owners)
                owner.Dispose();
            // Every finished round is already in the job store; a call still waiting on a crashed owner process would
            // hold a graceful shutdown for half a minute, so it gets 5 s before Orleans stops without waiting.
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// The training shard of owner <paramref name="index"/> of a Dirichlet split of <paramref name="train"/>: what an
    /// in-process owner gets and what `modelloop federate-client --index` loads in its own process.
    /// </summary>
    public static TensorDataset Shard(TensorDataset train, int clients, double alpha, int seed, int index)
    {
        if (index < 0 || index >= clients)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"--index must be in 0..{clients - 1} (one of --clients {clients} owners); received {index}.");
        var labels = train.Labels.data<long>().ToArray();
        var indices = DirichletSplit.Split(labels, clients, alpha, seed)[index];
        using var rows = tensor(indices.Select(i => (long)i).ToArray());
        return new TensorDataset(train.Features.index_select(0, rows), train.Labels.index_select(0, rows));
    }

    private static async Task<List<DataOwner>> StartOwners(IGrainFactory grains, TrainingConfig config, LoadedData data, FederatedSimulationOptions options, Action<string> log)
    {
        var owners = new List<DataOwner>();
        for (var i = 0; i < options.Clients; i++)
        {
            var shard = Shard(data.Train, options.Clients, options.Alpha, (int)options.Federated.Seed, i);
            var classes = shard.Labels.data<long>().ToArray().GroupBy(c => c).OrderByDescending(g => g.Count()).Take(3).Select(g => $"{g.Key}:{g.Count()}");
            log($"owner-{i:D2}: {shard.Count:N0} samples (largest classes {string.Join(", ", classes)})");
            var owner = new DataOwner(grains, options.Job, $"owner-{i:D2}", config, shard, data.Outputs);
            owners.Add(owner);
            await owner.ConnectAsync(grains);
        }
        return owners;
    }

    private static async Task WaitForOwners(IGrainFactory grains, FederatedSimulationOptions options, Action<string> log, CancellationToken cancellation)
    {
        var coordinator = grains.GetGrain<IFederatedCoordinatorGrain>(options.Job);
        var deadline = DateTime.UtcNow + options.ConnectTimeout;
        log($"waiting for {options.Clients} data owners (modelloop federate-client --coordinator 127.0.0.1:<gateway> --job {options.Job} --index I)…");
        while ((await coordinator.GetStateAsync()).Owners.Count < options.Clients)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Only {(await coordinator.GetStateAsync()).Owners.Count} of {options.Clients} data owners connected within {options.ConnectTimeout}. " +
                    "Start the missing `modelloop federate-client` processes, or lower --clients.");
            await Task.Delay(500, cancellation);
        }
    }

    /// <summary>
    /// Owner processes leave once they see the last round finished (they poll every second); waiting a few seconds for
    /// the owners of the last round lets each one disconnect cleanly instead of finding the coordinator gone. Owners
    /// dropped from it (likely crashed) are not waited for, nor is one that does not leave within 10 s.
    /// </summary>
    private static async Task WaitForDisconnects(IGrainFactory grains, FederatedSimulationOptions options, IReadOnlyCollection<string> lastRound, Action<string> log, CancellationToken cancellation)
    {
        var coordinator = grains.GetGrain<IFederatedCoordinatorGrain>(options.Job);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        List<string> left;
        while ((left = (await coordinator.GetStateAsync()).Owners.Intersect(lastRound).ToList()).Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(250, cancellation);
        if (left.Count > 0)
            log($"not waiting longer for {string.Join(", ", left)} to disconnect");
    }

    private static Dictionary<string, string> Parameters(TrainingConfig config, FederatedSimulationOptions options, FederatedOptions federated) => new()
    {
        ["model"] = config.Model.Zoo ?? "spec",
        ["data"] = config.Data.Source,
        ["algorithm"] = federated.Algorithm.ToString(),
        ["clients"] = options.Clients.ToString(CultureInfo.InvariantCulture),
        ["dirichlet_alpha"] = options.Alpha.ToString(CultureInfo.InvariantCulture),
        ["rounds"] = options.Rounds.ToString(CultureInfo.InvariantCulture),
        ["fraction"] = federated.Fraction.ToString(CultureInfo.InvariantCulture),
        ["local_epochs"] = federated.LocalEpochs.ToString(CultureInfo.InvariantCulture),
        ["secure_aggregation"] = federated.SecureAggregation.ToString(),
        ["dp_noise_multiplier"] = federated.DpNoiseMultiplier?.ToString(CultureInfo.InvariantCulture) ?? "none",
        ["optimizer"] = config.Optimizer.Name,
        ["batch_size"] = config.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["config_hash"] = config.Hash,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
