using System.Diagnostics;
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Native;
using ModelLoop.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModelLoop.Bench;

/// <summary>
/// Trainer overhead: one epoch of the seed's Keras CNN (Adam, same batch size, same data, same batches: a seeded
/// randperm + index_select) through <c>Sequential.Fit</c> — which gathers its batches with the DataLoader,
/// prefetched on a background thread when libtorch's threads leave a core free — and through a hand-written
/// TorchSharp loop. Runs are
/// interleaved (raw, fit, raw, fit…) and the medians compared, so drift in machine speed hits both.
/// Target: ratio ≤ 1.03.
/// </summary>
internal static class TrainerOverhead
{
    public static int Run(BenchOptions options)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.Threads = options.Int("threads", 2);
        var rounds = options.Int("rounds", 3);
        var batch = options.Int("batch", 64);
        var (train, _) = FashionMnist.Load(options.String("data", FashionMnist.DefaultDirectory), trainLimit: options.Int("limit", 60000));
        Console.WriteLine($"Trainer overhead: seed Keras CNN, {train.Count} images, batch {batch}, {TorchRuntime.Threads} threads, {rounds} interleaved rounds");

        Measure("warm-up", () => RawLoop(train, batch));
        var raw = new List<double>();
        var fit = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            raw.Add(Measure($"round {round + 1} raw loop", () => RawLoop(train, batch)));
            fit.Add(Measure($"round {round + 1} ModelLoop Fit", () => ModelLoopFit(train, batch)));
        }
        var rawMedian = Median(raw);
        var fitMedian = Median(fit);
        Console.WriteLine($"raw TorchSharp loop: {train.Count / rawMedian:F0} img/s (median {rawMedian:F2} s)");
        Console.WriteLine($"ModelLoop Fit:       {train.Count / fitMedian:F0} img/s (median {fitMedian:F2} s)");
        Console.WriteLine($"ratio Fit/raw: {fitMedian / rawMedian:F3} (target ≤ 1.03)");
        return 0;
    }

    private static Sequential NewModel()
    {
        random.manual_seed(7);
        return ModelZoo.KerasCnn(new Shape(1, 28, 28), 10);
    }

    private static void ModelLoopFit(TensorDataset train, int batch)
    {
        using var model = NewModel();
        model.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy());
        model.Fit(train, new FitOptions { Epochs = 1, BatchSize = batch, Seed = 7, Progress = ProgressMode.Lines });
    }

    // The loop a TorchSharp user writes by hand (cf. TorchSharp's MNIST example), with the same batching.
    private static void RawLoop(TensorDataset train, int batch)
    {
        using var model = NewModel();
        var network = model.Network;
        network.train();
        using var optimizer = optim.Adam(network.parameters(), 1e-3);
        using var generator = new Generator().manual_seed(7);
        using var order = randperm(train.Count, generator: generator);
        double lossSum = 0;
        for (long start = 0; start < train.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            var index = order.narrow(0, start, Math.Min(batch, train.Count - start));
            var x = train.Features.index_select(0, index);
            var y = train.Labels.index_select(0, index);
            optimizer.zero_grad();
            var loss = F.cross_entropy(network.forward(x), y);
            lossSum += loss.item<float>();
            loss.backward();
            optimizer.step();
        }
        Console.WriteLine($"  raw loop mean batch loss {lossSum / Math.Ceiling(train.Count / (double)batch):F4}");
    }

    private static double Measure(string label, Action action)
    {
        GC.Collect();
        var clock = Stopwatch.StartNew();
        action();
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {label}: {seconds:F2} s");
        return seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
