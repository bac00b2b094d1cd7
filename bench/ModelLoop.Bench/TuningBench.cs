using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Bench;

/// <summary>
/// Hyperparameter search figures (issue 12), the zoo MLP, data loaded once per study set, trials not tracked:
/// (a) TPE against random search on the shipped breast-cancer table — best validation loss after --trials trials, for
/// each of --seeds seeds, and the means; (b) one random-search study on a Fashion-MNIST subset run twice with the same
/// seed (so the same configurations in the same order, trained identically until pruned): with ASHA (η = 3, rungs at
/// epochs 1, 3, 9) and without a pruner, --epochs each — best validation accuracy of each and the wall-time ratio.
/// </summary>
internal static class TuningBench
{
    public static int Run(BenchOptions options)
    {
        Native.TorchRuntime.EnsureLoaded();
        Native.TorchRuntime.Threads = options.Int("threads", 2);
        var trials = options.Int("trials", 20);
        var seeds = options.Int("seeds", 5);
        var space = SearchSpace.Parse(JsonNode.Parse("""
            {
              "optimizer.learningRate": { "type": "float", "low": 0.00001, "high": 0.3, "log": true },
              "model.hidden": { "type": "categorical", "choices": [[16], [64], [128], [128, 64]] },
              "model.dropout": { "type": "float", "low": 0.0, "high": 0.8 },
              "optimizer.weightDecay": { "type": "float", "low": 0.000001, "high": 0.3, "log": true },
              "batchSize": { "type": "int", "low": 32, "high": 256, "log": true }
            }
            """));
        var folder = Directory.CreateTempSubdirectory("modelloop-bench-tuning-");
        var run = 0;
        (double Best, double Seconds, IReadOnlyList<TrialRecord> Trials) Study(TrainingConfig config, LoadedData data, string metric, StudyDirection direction, Sampler sampler, Pruner? pruner, int count)
        {
            var storage = new StudyStorage(Path.Combine(folder.FullName, "studies.db"));
            var study = Optimization.Tuning.Study.Open(storage, $"bench-{run++}", space, new StudyOptions { Sampler = sampler, Pruner = pruner, BaseConfig = config, Metric = metric, Direction = direction });
            using var objective = new TrainingObjective(study, new TrainingObjectiveOptions
            {
                OutputDirectory = Path.Combine(folder.FullName, study.Name), Track = false, Device = Native.ComputeDevice.Cpu, Data = data,
            });
            var watch = Stopwatch.StartNew();
            study.Optimize(objective.Run, new OptimizeOptions { Trials = count });
            var seconds = watch.Elapsed.TotalSeconds;
            Directory.Delete(Path.Combine(folder.FullName, study.Name), recursive: true);
            return (study.BestTrial()?.Value ?? double.NaN, seconds, study.Trials());
        }
        var part = options.String("part", "all");
        try
        {
            if (part is "all" or "a")
                TpeVersusRandom(options, space, trials, seeds, Study);
            if (part is "all" or "b")
                AshaVersusUnpruned(options, space, Study);
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private delegate (double Best, double Seconds, IReadOnlyList<TrialRecord> Trials) StudyRunner(TrainingConfig config, LoadedData data, string metric,
        StudyDirection direction, Sampler sampler, Pruner? pruner, int count);

    private static void TpeVersusRandom(BenchOptions options, SearchSpace space, int trials, int seeds, StudyRunner runStudy)
    {
        {
            // (a) The breast-cancer MLP, minimizing validation loss (accuracy on 91 validation rows moves in 1.1-point steps
            // and saturates; the loss separates good settings from lucky ones).
            var table = new TrainingConfig
            {
                Model = new ModelConfig { Zoo = "mlp" },
                Data = new DataConfig { Source = options.String("csv", Path.Combine("datasets", "breast_cancer.csv")), Label = "target", Validation = 0.2, Test = 0.2, SplitSeed = 7 },
                Epochs = options.Int("tpe-epochs", 10),
                Seed = 1,
            };
            space.CheckAgainst(table);
            using (var tableData = DataSource.Load(table.Data, table.Task))
            {
                Console.WriteLine($"(a) breast_cancer.csv ({tableData.Train.Count} training, {tableData.Validation!.Count} validation rows), MLP, {table.Epochs} epochs per trial, " +
                    $"{Native.TorchRuntime.Threads} threads: best val_loss of {trials} trials, TPE vs random search, seeds 1–{seeds}:");
                var tpe = new List<double>();
                var random = new List<double>();
                for (var seed = 1; seed <= seeds; seed++)
                {
                    var t = runStudy(table, tableData, "val_loss", StudyDirection.Minimize, new TpeSampler(seed), null, trials);
                    var r = runStudy(table, tableData, "val_loss", StudyDirection.Minimize, new RandomSampler(seed), null, trials);
                    tpe.Add(t.Best);
                    random.Add(r.Best);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seed {seed}: TPE {t.Best:F4} ({t.Seconds:F0} s), random {r.Best:F4} ({r.Seconds:F0} s)"));
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  mean best-of-{trials} val_loss: TPE {tpe.Average():F4}, random {random.Average():F4}; TPE better on {tpe.Zip(random).Count(p => p.First < p.Second)} of {seeds} seeds"));
            }
        }
    }

    private static void AshaVersusUnpruned(BenchOptions options, SearchSpace space, StudyRunner runStudy)
    {
        {

            // (b) A Fashion-MNIST subset, up to 9 epochs per trial, maximizing validation accuracy.
            var epochs = options.Int("epochs", 9);
            var ashaTrials = options.Int("asha-trials", 18);
            var images = new TrainingConfig
            {
                Model = new ModelConfig { Zoo = "mlp" },
                Data = new DataConfig { Source = options.String("data", FashionMnist.DefaultDirectory), Validation = 0.02, Limit = options.Int("limit", 3000), SplitSeed = 1 },
                Epochs = epochs,
                Seed = 1,
            };
            space.CheckAgainst(images);
            using var imageData = DataSource.Load(images.Data, images.Task);
            Console.WriteLine($"(b) Fashion-MNIST ({imageData.Train.Count} training, {imageData.Validation!.Count} validation images), MLP: {ashaTrials} random-search trials (seed 1) " +
                $"of up to {epochs} epochs, unpruned vs ASHA (η = 3, rungs at epochs 1, 3, 9):");
            var full = runStudy(images, imageData, "val_accuracy", StudyDirection.Maximize, new RandomSampler(1), null, ashaTrials);
            var asha = runStudy(images, imageData, "val_accuracy", StudyDirection.Maximize, new RandomSampler(1), new SuccessiveHalvingPruner(), ashaTrials);
            static int Epochs(IReadOnlyList<TrialRecord> trials) => trials.Sum(t => t.Intermediate.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unpruned: best {full.Best:P2}, {full.Seconds:F1} s, {Epochs(full.Trials)} epochs"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ASHA:     best {asha.Best:P2}, {asha.Seconds:F1} s, {Epochs(asha.Trials)} epochs, {asha.Trials.Count(t => t.State == TrialState.Pruned)} of {ashaTrials} pruned"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  best accuracy ASHA − unpruned {100 * (asha.Best - full.Best):+0.00;-0.00} pt (target ±0.3); wall time ASHA/unpruned = 1/{full.Seconds / asha.Seconds:F2} (target ≤ 1/2.5)"));
        }
    }
}
