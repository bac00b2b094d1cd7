using System.Globalization;
using ModelLoop.Federated;
using ModelLoop.Loop;

namespace ModelLoop.Bench;

/// <summary>
/// Federated learning figures (issue 14), Fashion-MNIST, a small MLP, one process, libtorch on --threads threads:
/// (a) centralized training of the MLP on all training images for --central-epochs epochs (the reference);
/// (b) FedAvg over --clients owners of a Dirichlet(--alpha) split of the same images, --rounds rounds of
///     --local-epochs local epochs: test accuracy after every round, the round (and bytes sent) at which it first
///     comes within 1.5 points of (a), and its final gap to (a);
/// (c) the same job with secure aggregation for --secure-rounds rounds: bytes per round against plain FedAvg's
///     bytes per round from (b) — upload (owners → coordinator) and total.
/// </summary>
internal static class FederatedBench
{
    public static int Run(BenchOptions options)
    {
        Native.TorchRuntime.EnsureLoaded();
        Native.TorchRuntime.Threads = options.Int("threads", 1);
        var clients = options.Int("clients", 10);
        var alpha = options.Double("alpha", 0.5);
        var rounds = options.Int("rounds", 40);
        var localEpochs = options.Int("local-epochs", 1);
        var centralEpochs = options.Int("central-epochs", 10);
        var secureRounds = options.Int("secure-rounds", 2);
        var hidden = options.Int("hidden", 128);
        var config = new TrainingConfig
        {
            Model = new ModelConfig { Zoo = "mlp", Hidden = [hidden], Dropout = 0 },
            Data = new DataConfig { Source = options.String("data", DataSource.FashionMnistName), Validation = 0, Limit = options.Int("limit", 0) is > 0 and var limit ? limit : null },
            Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = options.Double("lr", 0.05), Momentum = 0.9 },
            BatchSize = options.Int("batch", 32),
            Seed = 1,
        };
        var folder = Directory.CreateTempSubdirectory("modelloop-bench-federated-").FullName;
        try
        {
            Console.WriteLine($"federated: Fashion-MNIST, MLP 784-{hidden}-10, SGD lr {config.Optimizer.LearningRate} momentum 0.9, batch {config.BatchSize}, {Native.TorchRuntime.Threads} thread(s)");
            var central = TrainingJob.Run(config with { Epochs = centralEpochs }, new TrainingJobOptions
            {
                OutputDirectory = Path.Combine(folder, "central"), Track = false, Progress = Training.ProgressMode.Silent,
            });
            var centralAccuracy = central.Test["accuracy"];
            var target = centralAccuracy - 0.015;
            Console.WriteLine(FormattableString.Invariant($"(a) centralized, {centralEpochs} epochs: test accuracy {centralAccuracy:P2} in {central.Seconds:F0} s; target for (b): {target:P2}"));

            var plain = FederatedSimulation.RunAsync(config, new FederatedSimulationOptions
            {
                Clients = clients, Alpha = alpha, Rounds = rounds, Track = false, OutputDirectory = Path.Combine(folder, "fedavg"),
                Federated = new FederatedOptions { LocalEpochs = localEpochs },
                Log = line => { if (line.StartsWith("round", StringComparison.Ordinal)) Console.WriteLine("    " + line); },
            }).GetAwaiter().GetResult();
            var reached = plain.Rounds.FirstOrDefault(r => r.Metrics["accuracy"] >= target);
            var bytesTo = reached is null ? 0 : plain.Rounds.TakeWhile(r => r != reached).Append(reached).Sum(r => r.Report.BytesUp + r.Report.BytesDown);
            var final = plain.Test["accuracy"];
            var best = plain.Rounds.Max(r => r.Metrics["accuracy"]);
            Console.WriteLine(FormattableString.Invariant($"(b) FedAvg, {clients} owners, α = {alpha}, {localEpochs} local epoch(s): final test accuracy {final:P2} after {rounds} rounds (best {best:P2}), gap to (a) {(centralAccuracy - final) * 100:F2} points; ") +
                (reached is null ? $"target {target:P2} not reached in {rounds} rounds" : FormattableString.Invariant($"within 1.5 points at round {reached.Report.Round}, after {bytesTo / 1e6:F1} MB sent (both ways); {plain.Seconds:F0} s")));

            var secure = FederatedSimulation.RunAsync(config, new FederatedSimulationOptions
            {
                Clients = clients, Alpha = alpha, Rounds = secureRounds, Track = false, OutputDirectory = Path.Combine(folder, "secure"),
                Federated = new FederatedOptions { LocalEpochs = localEpochs, SecureAggregation = true },
            }).GetAwaiter().GetResult();
            double PerRound(FederatedSimulationResult run, Func<Federated.Grains.RoundReport, long> bytes, int count) => run.Rounds.Take(count).Average(r => (double)bytes(r.Report));
            var upPlain = PerRound(plain, r => r.BytesUp, secureRounds);
            var upSecure = PerRound(secure, r => r.BytesUp, secureRounds);
            var allPlain = PerRound(plain, r => r.BytesUp + r.BytesDown, secureRounds);
            var allSecure = PerRound(secure, r => r.BytesUp + r.BytesDown, secureRounds);
            Console.WriteLine(FormattableString.Invariant($"(c) secure aggregation, {secureRounds} rounds: upload {upSecure / 1e6:F3} MB/round vs FedAvg {upPlain / 1e6:F3} MB/round = {upSecure / upPlain:F3}×; ") +
                FormattableString.Invariant($"both ways {allSecure / 1e6:F3} vs {allPlain / 1e6:F3} MB/round = {allSecure / allPlain:F3}×; accuracy after {secureRounds} rounds {secure.Rounds[^1].Metrics["accuracy"]:P2} (FedAvg {plain.Rounds[Math.Min(secureRounds, plain.Rounds.Count) - 1].Metrics["accuracy"]:P2})"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
